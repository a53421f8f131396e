import type { JobId } from '../../../../shared/domain/studio';
import type { JobView } from '../generation/jobStore';
import type { CellFacts } from './CompareCell';
import { speedUp } from './compareMetrics';

export interface RunRef {
  jobId: JobId | null;
  startError: string | null;
}

/**
 * What each cell of a comparison shows, from the runs, the jobs the store knows and the pixel differences computed
 * so far (by job id). Speed-ups are against the first run (the baseline), total and denoise time separately.
 */
export function comparisonFacts(runs: readonly RunRef[], jobs: Readonly<Record<JobId, JobView>>, differences: Readonly<Record<JobId, number | null>>): CellFacts[] {
  const baseline = runs[0]?.jobId ? jobs[runs[0].jobId]?.summary ?? null : null;
  return runs.map((run) => {
    const job = run.jobId ? jobs[run.jobId] : undefined;
    const summary = job?.summary ?? null;
    const status: CellFacts['status'] = run.startError ? 'refused' : job ? job.status : 'submitting';
    return {
      status,
      summary,
      stepsSeen: job?.steps.length ?? 0,
      message: run.startError ?? job?.error?.message ?? null,
      speedUpTotal: summary && baseline ? speedUp(baseline.timingsMs.total, summary.timingsMs.total) : null,
      speedUpDenoise: summary && baseline ? speedUp(baseline.timingsMs.denoise, summary.timingsMs.denoise) : null,
      difference: run.jobId ? differences[run.jobId] ?? null : null,
    };
  });
}
