import type { GenerationSummary, LplSetting } from '@shared/domain/generation';
import { formatMegabytes } from '@shared/util/bytes';
import { formatDurationMs } from '../../lib/format';

function describeLpl(lpl: LplSetting): string {
  switch (lpl.kind) {
    case 'off':
      return 'off';
    case 'fixed':
      return `fixed, leap at step ${lpl.leapStep + 1}`;
    case 'dynamic':
      return `dynamic (from step ${lpl.minimumStep}, tolerance ${lpl.tolerance}, patience ${lpl.patience})`;
  }
}

/** The settings that made the clip and what the run measured. */
export function ResultDetails({ summary }: { summary: GenerationSummary }): React.JSX.Element {
  const { settings, timingsMs } = summary;
  const budget = settings.memoryBudget.kind === 'bytes' ? formatMegabytes(settings.memoryBudget.bytes) : settings.memoryBudget.kind;
  return (
    <div className="result-details">
      <h3>Settings</h3>
      <dl className="facts compact" data-testid="result-settings">
        <dt>Prompt</dt>
        <dd>{settings.prompt}</dd>
        <dt>Seed</dt>
        <dd data-testid="result-seed">{summary.seed}</dd>
        <dt>Steps</dt>
        <dd>
          {summary.stepsRun} run of {settings.steps}
        </dd>
        <dt>CFG scale</dt>
        <dd>{settings.cfgScale}</dd>
        <dt>LPL</dt>
        <dd>
          {describeLpl(settings.lpl)}
          {summary.leapStep !== null ? ` — leapt at step ${summary.leapStep + 1}` : ''}
        </dd>
        <dt>TDTM</dt>
        <dd>
          {settings.tdtmMergedSteps > 0 ? `first ${settings.tdtmMergedSteps} steps merged (${summary.mergedSteps} ran merged)` : 'off'}
        </dd>
        <dt>Memory budget</dt>
        <dd>
          {budget} ({formatMegabytes(summary.memoryBudgetBytes)})
        </dd>
        <dt>Model</dt>
        <dd>
          {settings.modelId} {settings.modelVersion}
        </dd>
        <dt>Clip</dt>
        <dd>
          {settings.frames} frames, {settings.width}×{settings.height} px, {settings.fps} fps
        </dd>
      </dl>
      <h3>Measured</h3>
      <dl className="facts compact" data-testid="result-timings">
        <dt>Total</dt>
        <dd>{formatDurationMs(timingsMs.total)}</dd>
        <dt>Loading (not hidden)</dt>
        <dd>{formatDurationMs(timingsMs.load ?? 0)}</dd>
        <dt>Text / denoise</dt>
        <dd>
          {formatDurationMs(timingsMs.text)} / {formatDurationMs(timingsMs.denoise)}
        </dd>
        <dt>Decode / write</dt>
        <dd>
          {formatDurationMs(timingsMs.decode)} / {formatDurationMs(timingsMs.write)}
        </dd>
        <dt>Per step</dt>
        <dd>{summary.stepLatencyMs.length > 0 ? formatDurationMs(summary.stepLatencyMs.reduce((a, b) => a + b, 0) / summary.stepLatencyMs.length) : '–'} mean</dd>
        <dt>Peak memory</dt>
        <dd>
          {formatMegabytes(summary.peakRssBytes)} RSS, {formatMegabytes(summary.peakResidentBytes)} weights
        </dd>
      </dl>
      {summary.warnings.length > 0 ? (
        <ul className="warnings">
          {summary.warnings.map((warning, index) => (
            <li key={index}>{warning}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
