import type { GenerationEvent, GenerationSummary } from '@shared/domain/generation';
import { formatMegabytes } from '@shared/util/bytes';

/** A one-line progress bar for stderr, redrawn in place on a terminal and printed per step otherwise. */
export function createProgressPrinter(stream: NodeJS.WriteStream): (event: GenerationEvent) => void {
  const interactive = Boolean(stream.isTTY);
  let lastStage = '';
  return (event) => {
    switch (event.kind) {
      case 'started':
        stream.write(
          `model ${event.settings.modelId} · seed ${event.settings.seed} · ${event.settings.steps} steps · cfg ${event.settings.cfgScale} · ` +
            `${event.plannedModelCalls === null ? `at most ${event.settings.steps} model calls (dynamic LPL decides)` : `${event.plannedModelCalls} model calls planned`} · budget ${formatMegabytes(event.budgetBytes)} (min ${formatMegabytes(event.minimumBudgetBytes)}) · ` +
            `${event.residentUnitIds.length} resident units\n`,
        );
        break;
      case 'warning':
        stream.write(`${interactive ? '\n' : ''}warning: ${event.message}\n`);
        break;
      case 'stage':
        if (event.stage !== lastStage) {
          lastStage = event.stage;
          if (event.stage !== 'denoise') {
            stream.write(`${interactive ? '\n' : ''}${event.stage}…\n`);
          }
        }
        break;
      case 'step': {
        const width = 30;
        const done = Math.round(((event.stepIndex + 1) / event.totalSteps) * width);
        const tags = [event.merged ? 'TDTM' : '', event.leap ? 'LEAP' : ''].filter(Boolean).join(' ');
        const line =
          `[${'#'.repeat(done)}${'.'.repeat(width - done)}] step ${event.stepIndex + 1}/${event.totalSteps} ` +
          `t=${event.timestep.toFixed(1)} ${event.latencyMs.toFixed(0)} ms rss ${formatMegabytes(event.rssBytes)} ` +
          `resident ${formatMegabytes(event.residentBytes)}${tags ? ` ${tags}` : ''}`;
        stream.write(interactive ? `\r${line}\x1b[K` : `${line}\n`);
        break;
      }
      case 'done':
      case 'failed':
      case 'cancelled':
        if (interactive) {
          stream.write('\n');
        }
        break;
    }
  };
}

/** The human summary table printed after a run. */
export function formatSummaryTable(summary: GenerationSummary): string {
  const rows: Array<[string, string]> = [
    ['model loading (not hidden)', `${(summary.timingsMs.load ?? 0).toFixed(0)} ms`],
    ['text encoder', `${summary.timingsMs.text.toFixed(0)} ms`],
    ['denoise', `${summary.timingsMs.denoise.toFixed(0)} ms`],
    ['decode', `${summary.timingsMs.decode.toFixed(0)} ms`],
    ['write outputs', `${summary.timingsMs.write.toFixed(0)} ms`],
    ['total', `${summary.timingsMs.total.toFixed(0)} ms`],
    ['steps run (model calls)', `${summary.stepsRun} of ${summary.settings.steps}`],
    ['leap step (LPL)', summary.leapStep === null ? 'none' : String(summary.leapStep)],
    ['merged steps (TDTM)', String(summary.mergedSteps)],
    ['mean step latency', `${(summary.stepLatencyMs.reduce((a, b) => a + b, 0) / Math.max(1, summary.stepLatencyMs.length)).toFixed(1)} ms`],
    ['peak RSS (engine)', formatMegabytes(summary.peakRssBytes)],
    ['peak resident model bytes', formatMegabytes(summary.peakResidentBytes)],
    ['memory budget', formatMegabytes(summary.memoryBudgetBytes)],
  ];
  const keyWidth = Math.max(...rows.map(([key]) => key.length));
  const lines = rows.map(([key, value]) => `  ${key.padEnd(keyWidth)}  ${value}`);
  return [...lines, ...summary.outputs.map((output) => `  → ${output}`)].join('\n');
}
