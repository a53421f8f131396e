import { useJobsSlice } from '../generation/jobFeed';
import { selectRunningJobId, type JobsSnapshot } from '../generation/jobStore';

/** "12/48" while a job runs: how far the running job is, wherever the workspace is looking ("" when none runs). */
function selectRunningProgress(snapshot: JobsSnapshot): string {
  const jobId = selectRunningJobId(snapshot);
  const job = jobId ? snapshot.jobs[jobId] : undefined;
  if (!job) {
    return '';
  }
  const planned = job.plannedModelCalls ?? job.settings?.steps;
  return planned ? `${job.steps.length}/${planned}` : '…';
}

/** "Generating 12/48": the running job's step count, one text node (a new number moves nothing after it). */
export function LiveBadge(): React.JSX.Element {
  const progress = useJobsSlice(selectRunningProgress);
  return (
    <span className="live-badge" data-testid="live-badge">
      <span aria-hidden="true">● </span>
      {progress ? `Generating ${progress}` : 'Starting…'}
    </span>
  );
}
