import { formatDurationMs } from '../../lib/format';
import { useNow } from '../../lib/useNow';
import type { JobView } from '../generation/jobStore';
import { estimateProgress } from './progress';

const PHASE_LABELS: Record<JobView['phase'], string> = {
  queued: 'Queued',
  text: 'Encoding the prompt',
  encode: 'Encoding the reference frames',
  denoise: 'Denoising',
  decode: 'Decoding frames',
  write: 'Writing files',
  finished: 'Finished',
};

const STATUS_LABELS: Record<JobView['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Progress bar, phase, step count, elapsed time and ETA of the live job. */
export function ProgressPanel({ job, tailEstimateMs }: { job: JobView; tailEstimateMs: number }): React.JSX.Element {
  const running = job.status === 'running';
  const now = useNow(running);
  const planned = job.plannedModelCalls ?? job.settings?.steps ?? Math.max(1, job.steps.length);
  const estimate = estimateProgress({
    phase: job.status === 'running' || job.status === 'queued' ? job.phase : 'finished',
    completedSteps: job.steps.length,
    plannedSteps: planned,
    stepLatenciesMs: job.steps.map((step) => step.latencyMs),
    elapsedInPhaseMs: running && job.phaseStartedAtMs !== null ? now - job.phaseStartedAtMs : 0,
    tailEstimateMs,
  });
  const elapsedMs = job.summary ? job.summary.timingsMs.total : job.startedAtMs !== null ? (running ? now : (job.phaseStartedAtMs ?? now)) - job.startedAtMs : 0;
  const statusText = job.status === 'running' ? PHASE_LABELS[job.phase] : STATUS_LABELS[job.status];
  return (
    <div className="progress-panel" data-testid="progress" data-status={job.status} data-phase={job.phase} data-steps={job.steps.length}>
      <div className="progress-line">
        <progress max={planned} value={job.status === 'done' ? planned : job.steps.length} aria-label="Denoising progress" />
        {/* One text node each: a changing number does not move the words after it. */}
        <span data-testid="progress-steps">{`${job.steps.length}/${planned} steps`}</span>
      </div>
      <p className="progress-facts" role="status" aria-live="polite">
        <span data-testid="job-status">{statusText}</span>
        <span>{`elapsed ${formatDurationMs(elapsedMs)}`}</span>
        {running ? <span data-testid="eta">{`ETA ${estimate.remainingMs === null ? 'estimating…' : formatDurationMs(estimate.remainingMs)}`}</span> : null}
        {estimate.msPerStep !== null ? <span>{`${formatDurationMs(estimate.msPerStep)}/step`}</span> : null}
      </p>
    </div>
  );
}
