import type { GenerationSummary } from '@shared/domain/generation';
import type { JobId } from '@shared/domain/studio';
import type { JobView } from '../generation/jobStore';
import type { CellFacts } from './CompareCell';
import { speedUp } from './compareMetrics';

export interface RunRef {
  jobId: JobId | null;
  startError: string | null;
}

/** How a variant's clip measures against the baseline's (null until both are loaded, or where shapes differ). */
export interface CellQuality {
  difference: number | null;
  ssim: number | null;
  psnr: number | null;
}

/**
 * What each cell of a comparison shows, from the runs, the jobs the store knows (this session), the records of stored
 * runs (a reopened comparison) and the quality computed so far (by job id). Speed-ups are against the first run
 * (the baseline), total and denoise time separately.
 */
export function comparisonFacts(
  runs: readonly RunRef[],
  jobs: Readonly<Record<JobId, JobView>>,
  quality: Readonly<Record<JobId, CellQuality>>,
  stored: Readonly<Record<JobId, GenerationSummary>> = {},
): CellFacts[] {
  const summaryOf = (jobId: JobId | null): GenerationSummary | null => (jobId ? (jobs[jobId]?.summary ?? stored[jobId] ?? null) : null);
  const baseline = summaryOf(runs[0]?.jobId ?? null);
  return runs.map((run) => {
    const job = run.jobId ? jobs[run.jobId] : undefined;
    const summary = summaryOf(run.jobId);
    const status: CellFacts['status'] = run.startError ? 'refused' : job ? job.status : summary ? 'done' : 'submitting';
    return {
      status,
      summary,
      stepsSeen: job?.steps.length ?? 0,
      message: run.startError ?? job?.error?.message ?? null,
      speedUpTotal: summary && baseline ? speedUp(baseline.timingsMs.total, summary.timingsMs.total) : null,
      speedUpDenoise: summary && baseline ? speedUp(baseline.timingsMs.denoise, summary.timingsMs.denoise) : null,
      difference: run.jobId ? (quality[run.jobId]?.difference ?? null) : null,
      ssim: run.jobId ? (quality[run.jobId]?.ssim ?? null) : null,
      psnr: run.jobId ? (quality[run.jobId]?.psnr ?? null) : null,
    };
  });
}
