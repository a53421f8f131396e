import { useMemo } from 'react';
import type { HistoryEntry } from '@shared/domain/history';
import { formatDurationMs } from '../../lib/format';
import { memoPart } from '../../lib/renderStats';
import { useCurrentProjectId } from '../projects/currentProject';
import { formatStepsRun, formatTimestamp, STATUS_LABELS } from './historyFormat';
import { DEFAULT_SORT, historyFilterFor } from './historyQuery';
import { RunThumbnail } from './RunThumbnail';
import { useHistoryWindow } from './useHistoryWindow';

/** Runs listed; the list scrolls inside its panel when the window is too short for all of them. */
const RECENT_SHOWN = 12;

interface RecentRunsProps {
  /** The run the result player holds (marked in the list). */
  playingId: string | null;
  /** Plays the run in the result player. */
  onOpen: (entry: HistoryEntry) => void;
  /** Shows the full history table. */
  onShowAll: () => void;
}

function describeRun(entry: HistoryEntry): string {
  const parts = [`seed ${entry.seed ?? '?'}`, `${formatStepsRun(entry)} steps`];
  if (entry.totalMs !== null) {
    parts.push(formatDurationMs(entry.totalMs));
  }
  parts.push(formatTimestamp(entry.createdAtMs).slice(11, 16));
  return parts.join(' · ');
}

/**
 * The newest runs of the current project, newest first, beside the clip: a thumbnail (plays on hover) and the
 * prompt; a click plays the run in the result player. The full table is one click away (onShowAll).
 */
export const RecentRuns = memoPart('recent', function RecentRuns({ playingId, onOpen, onShowAll }: RecentRunsProps): React.JSX.Element {
  const projectId = useCurrentProjectId();
  const filter = useMemo(() => historyFilterFor({ sorting: [DEFAULT_SORT], search: '', projectId, modelId: null, lpl: 'any', tdtm: 'any', starredOnly: false }), [projectId]);
  const history = useHistoryWindow(filter);
  const runs = history.loaded.slice(0, RECENT_SHOWN);
  return (
    <section className="panel recent-runs" aria-labelledby="recent-heading" data-testid="recent-runs" data-state={history.kind} data-total={history.total}>
      <div className="panel-header">
        <h2 id="recent-heading">Recent runs</h2>
        <button type="button" className="link" data-testid="recent-show-all" onClick={onShowAll}>
          All {history.total} in the history
        </button>
      </div>
      {history.kind === 'error' ? (
        <p className="error" role="alert">
          Could not read the history: {history.message}
        </p>
      ) : null}
      {history.total === 0 && history.kind === 'ready' ? <p className="hint">Runs of this project appear here as they finish, newest first.</p> : null}
      <ol className="recent-list">
        {runs.map((entry) => (
          <li key={entry.id} className="recent-run" data-testid="recent-run" data-entry-id={entry.id} data-status={entry.status} aria-current={entry.id === playingId ? 'true' : undefined}>
            {/* The thumbnail opens the run too; the button is the keyboard's way. */}
            <span className="recent-thumb" onClick={() => entry.hasMedia && onOpen(entry)}>
              <RunThumbnail id={entry.id} hasMedia={entry.hasMedia} prompt={entry.prompt} />
            </span>
            <button type="button" className="recent-open" data-testid="recent-open" disabled={!entry.hasMedia} onClick={() => onOpen(entry)} title={`Play “${entry.prompt}” in the result player`}>
              <span className="recent-prompt">{entry.prompt}</span>
              <span className="recent-meta">
                {entry.status === 'done' ? null : <span className={`status-tag ${entry.status}`}>{STATUS_LABELS[entry.status]}</span>} {describeRun(entry)}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
});
