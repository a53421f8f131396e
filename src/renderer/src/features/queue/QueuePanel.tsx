import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import { useMemo } from 'react';
import type { JobId, QueuedJob, QueueSnapshot } from '@shared/domain/studio';
import { memoPart } from '../../lib/renderStats';
import { shallowEqual } from '../../lib/shallowEqual';
import { useJobsSlice } from '../generation/jobFeed';
import { selectEndedJobs, type JobsSnapshot, type JobView } from '../generation/jobStore';

/** One row of the queue table: the running job (position 0) or a waiting one (1…n). */
interface QueueRow {
  job: QueuedJob;
  /** Index among the waiting jobs (what generation.reorder takes); null for the running job. */
  waitingIndex: number | null;
  waitingCount: number;
}

interface QueueActions {
  cancel: (jobId: JobId) => void;
  finishNow: (jobId: JobId) => void;
  move: (jobId: JobId, toIndex: number) => void;
}

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, QueueRow>();

function columnsFor(actions: QueueActions) {
  return helper.columns([
    helper.display({
      id: 'position',
      header: '#',
      cell: ({ row }) => (row.original.waitingIndex === null ? 'Running' : `#${row.original.waitingIndex + 1}`),
    }),
    helper.accessor((row) => row.job.prompt, {
      id: 'prompt',
      header: 'Prompt',
      cell: ({ getValue, row }) => (
        <>
          <span className="queue-prompt" title={getValue()}>
            {getValue()}
          </span>
          <span className="queue-seed">seed {row.original.job.seed ?? 'random'}</span>
        </>
      ),
    }),
    helper.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row }) => {
        const { job, waitingIndex, waitingCount } = row.original;
        const name = `“${job.prompt}”`;
        if (waitingIndex === null) {
          return (
            <span className="inline">
              <button type="button" aria-label={`Finish ${name} now (leap at the next step)`} onClick={() => actions.finishNow(job.jobId)}>
                Finish
              </button>
              <button type="button" aria-label={`Cancel running job ${name}`} data-testid="queue-cancel-running" onClick={() => actions.cancel(job.jobId)}>
                Cancel
              </button>
            </span>
          );
        }
        return (
          <span className="inline">
            <button type="button" aria-label={`Move ${name} up`} data-testid={`queue-up-${waitingIndex}`} disabled={waitingIndex === 0} onClick={() => actions.move(job.jobId, waitingIndex - 1)}>
              ↑
            </button>
            <button
              type="button"
              aria-label={`Move ${name} down`}
              data-testid={`queue-down-${waitingIndex}`}
              disabled={waitingIndex === waitingCount - 1}
              onClick={() => actions.move(job.jobId, waitingIndex + 1)}
            >
              ↓
            </button>
            <button type="button" aria-label={`Cancel queued job ${name}`} data-testid={`queue-cancel-${waitingIndex}`} onClick={() => actions.cancel(job.jobId)}>
              Cancel
            </button>
          </span>
        );
      },
    }),
  ]);
}

const ENDED_LABELS: Record<JobView['status'], string> = { queued: 'waiting', running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' };

const selectQueue = (snapshot: JobsSnapshot): QueueSnapshot => snapshot.queue;

/** The generation queue: the running job and the waiting ones, which can be reordered or cancelled; then what ended. */
export const QueuePanel = memoPart('queue', function QueuePanel({ actions }: { actions: QueueActions }): React.JSX.Element {
  const queue = useJobsSlice(selectQueue);
  const ended = useJobsSlice(selectEndedJobs, shallowEqual);
  const columns = useMemo(() => columnsFor(actions), [actions]);
  const data = useMemo<QueueRow[]>(
    () => [
      ...(queue.running ? [{ job: queue.running, waitingIndex: null, waitingCount: queue.queued.length }] : []),
      ...queue.queued.map((job, index) => ({ job, waitingIndex: index, waitingCount: queue.queued.length })),
    ],
    [queue],
  );
  const table = useTable({ features, columns, data, getRowId: (row) => row.job.jobId });
  return (
    <section className="panel queue" aria-labelledby="queue-heading" data-testid="queue-panel" data-running={queue.running ? 1 : 0} data-waiting={queue.queued.length}>
      <h2 id="queue-heading">
        Queue <span className="muted">({queue.running ? 1 : 0} running, {queue.queued.length} waiting)</span>
      </h2>
      {data.length === 0 ? (
        <p className="hint">Nothing queued. Generate while a job runs to queue the next one.</p>
      ) : (
        <table className="queue-table">
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col">
                    {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-testid="queue-row" data-job-id={row.original.job.jobId} data-state={row.original.job.state} className={row.original.job.state}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {ended.length > 0 ? (
        <>
          <h3>Ended this session</h3>
          <ul className="ended-jobs" data-testid="ended-jobs">
            {ended.map((job) => (
              <li key={job.jobId} data-job-id={job.jobId} data-status={job.status} className={job.status}>
                <span className="status-tag">{ENDED_LABELS[job.status]}</span> “{job.prompt}”
                {job.summary ? <span className="muted"> · {job.summary.stepsRun} steps{job.summary.leapStep !== null ? `, leapt at ${job.summary.leapStep + 1}` : ''}</span> : null}
                {job.error ? <span className="error"> · {job.error.message}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
});
