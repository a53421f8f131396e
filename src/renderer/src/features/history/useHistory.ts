import { useCallback, useEffect, useState } from 'react';
import type { HistoryEntry, HistoryQuery } from '../../../../shared/domain/history';
import { describeError, studio } from '../../ipc/studio';

export type HistoryPage =
  | { kind: 'loading'; entries: readonly HistoryEntry[]; total: number }
  | { kind: 'ready'; entries: readonly HistoryEntry[]; total: number }
  | { kind: 'error'; entries: readonly HistoryEntry[]; total: number; message: string };

export interface HistoryState {
  page: HistoryPage;
  /** Deletes an entry; resolves to an error message, or null when it went. */
  remove: (id: string) => Promise<string | null>;
}

const NO_ENTRIES: readonly HistoryEntry[] = [];

/**
 * One page of the prompt history (history.list) for the query, fetched again whenever the backend says the history
 * changed (a job ended, an entry was deleted) or the engine (re)started. The history lives in the backend, not the
 * engine, so it loads while the engine is still starting. The previous page stays shown while the next
 * one loads, so the table does not flash empty between pages.
 */
export function useHistory(query: HistoryQuery, engineReadyPid: number | undefined): HistoryState {
  const [page, setPage] = useState<HistoryPage>({ kind: 'loading', entries: NO_ENTRIES, total: 0 });
  const [revision, setRevision] = useState(0);

  useEffect(() => studio.on('history.changed', () => setRevision((value) => value + 1)), []);

  const { search, sortBy, descending, limit, offset } = query;
  useEffect(() => {
    let live = true;
    setPage((current) => ({ kind: 'loading', entries: current.entries, total: current.total }));
    studio.invoke('history.list', { search, sortBy, descending, limit, offset }).then(
      (result) => live && setPage({ kind: 'ready', entries: result.entries, total: result.total }),
      (reason: unknown) => live && setPage((current) => ({ kind: 'error', entries: current.entries, total: current.total, message: describeError(reason).message })),
    );
    return () => {
      live = false;
    };
  }, [search, sortBy, descending, limit, offset, revision, engineReadyPid]);

  const remove = useCallback(async (id: string) => {
    try {
      const { deleted } = await studio.invoke('history.delete', { id });
      // history.changed refreshes the page; a stale id (already gone) refreshes it here.
      if (!deleted) {
        setRevision((value) => value + 1);
      }
      return null;
    } catch (error) {
      return describeError(error).message;
    }
  }, []);

  return { page, remove };
}
