import { useJobsSlice } from '../generation/jobFeed';
import { selectRunningJobId, type JobsSnapshot } from '../generation/jobStore';

/** "12/48" while a job runs: how far the running job is, wherever the workspace is looking. */
function selectRunningProgress(snapshot: JobsSnapshot): string {
  const jobId = selectRunningJobId(snapshot);
  const job = jobId ? snapshot.jobs[jobId] : undefined;
  if (!job) {
    return '';
  }
  const planned = job.plannedModelCalls ?? job.settings?.steps;
  return planned ? `${job.steps.length}/${planned}` : '…';
}

/** The running job's step count, for a tab: its place is kept while nothing runs, so the tabs never move. */
export function LiveBadge(): React.JSX.Element {
  const progress = useJobsSlice(selectRunningProgress);
  return (
    <span className="live-badge" data-testid="live-badge" data-running={progress ? 1 : 0} title={progress ? 'A job is running' : undefined}>
      {progress ? <span aria-hidden="true">● </span> : null}
      {progress}
    </span>
  );
}
