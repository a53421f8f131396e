import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryEntry, HistoryQuery } from '@shared/domain/history';
import { describeError, studio } from '../../ipc/studio';

/** Rows fetched per request; the body asks for the blocks its visible rows fall in. */
export const HISTORY_BLOCK_ROWS = 100;
/** Blocks kept; the farthest from the last request go first. */
const BLOCKS_KEPT = 12;

export type HistoryFilter = Omit<HistoryQuery, 'limit' | 'offset'>;

export interface HistoryWindow {
  kind: 'loading' | 'ready' | 'error';
  message: string | null;
  total: number;
  /** The entry at a position of the sorted, filtered history (undefined until its block arrives). */
  entryAt: (index: number) => HistoryEntry | undefined;
  /** Every entry loaded now (what the table builds its rows from). */
  loaded: readonly HistoryEntry[];
  /** Asks for the rows [first, last] (the virtualizer's visible range). */
  ensure: (first: number, last: number) => void;
  remove: (id: string) => Promise<string | null>;
}

/**
 * The history as a sparse window over the backend's sorted, filtered rows: only the blocks the body shows are
 * fetched, so 10,000 runs cost what a screenful does. A new filter or sort starts over; a change in the history
 * (a run ended, a star, a delete, an import) refetches the blocks in view, keeping the old rows shown meanwhile.
 */
export function useHistoryWindow(filter: HistoryFilter): HistoryWindow {
  const key = JSON.stringify(filter);
  const [blocks, setBlocks] = useState<ReadonlyMap<number, readonly HistoryEntry[]>>(new Map());
  const [status, setStatus] = useState<{ kind: HistoryWindow['kind']; message: string | null; total: number }>({ kind: 'loading', message: null, total: 0 });
  const [revision, setRevision] = useState(0);
  const wanted = useRef<{ first: number; last: number }>({ first: 0, last: HISTORY_BLOCK_ROWS - 1 });
  const inFlight = useRef(new Set<string>());
  const generation = useRef(0);

  useEffect(() => studio.on('history.changed', () => setRevision((value) => value + 1)), []);

  const fetchBlock = useCallback(
    (block: number, forGeneration: number) => {
      const flightKey = `${forGeneration}:${block}`;
      if (inFlight.current.has(flightKey)) {
        return;
      }
      inFlight.current.add(flightKey);
      const query = { ...(JSON.parse(key) as HistoryFilter), limit: HISTORY_BLOCK_ROWS, offset: block * HISTORY_BLOCK_ROWS };
      studio.invoke('history.list', query).then(
        (result) => {
          inFlight.current.delete(flightKey);
          if (forGeneration !== generation.current) {
            return;
          }
          setStatus({ kind: 'ready', message: null, total: result.total });
          setBlocks((current) => {
            const next = new Map(current);
            next.set(block, result.entries);
            const centre = Math.floor(wanted.current.first / HISTORY_BLOCK_ROWS);
            const byDistance = [...next.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
            for (const far of byDistance.slice(0, Math.max(0, next.size - BLOCKS_KEPT))) {
              next.delete(far);
            }
            return next;
          });
        },
        (reason: unknown) => {
          inFlight.current.delete(flightKey);
          if (forGeneration === generation.current) {
            setStatus((current) => ({ ...current, kind: 'error', message: describeError(reason).message }));
          }
        },
      );
    },
    [key],
  );

  const blocksFor = (first: number, last: number): number[] => {
    const from = Math.floor(Math.max(0, first) / HISTORY_BLOCK_ROWS);
    const to = Math.floor(Math.max(0, last) / HISTORY_BLOCK_ROWS);
    return Array.from({ length: to - from + 1 }, (_, index) => from + index);
  };

  // A new filter or sort: start over from the top (the old rows would be in the wrong order).
  useEffect(() => {
    generation.current += 1;
    setBlocks(new Map());
    setStatus((current) => ({ kind: 'loading', message: null, total: current.total }));
    wanted.current = { first: 0, last: HISTORY_BLOCK_ROWS - 1 };
    fetchBlock(0, generation.current);
  }, [key, fetchBlock]);

  // The history changed: refetch what is in view; the rows shown stay until the new ones arrive.
  useEffect(() => {
    if (revision === 0) {
      return;
    }
    generation.current += 1;
    const { first, last } = wanted.current;
    const keep = new Set(blocksFor(first, last));
    setBlocks((current) => new Map([...current].filter(([block]) => keep.has(block))));
    for (const block of keep) {
      fetchBlock(block, generation.current);
    }
  }, [revision, fetchBlock]);

  const ensure = useCallback(
    (first: number, last: number) => {
      wanted.current = { first, last };
      // Half a block ahead either way, so rows are usually there before they scroll into view.
      for (const block of blocksFor(first - HISTORY_BLOCK_ROWS / 2, last + HISTORY_BLOCK_ROWS / 2)) {
        if (!blocks.has(block)) {
          fetchBlock(block, generation.current);
        }
      }
    },
    [blocks, fetchBlock],
  );

  const entryAt = useCallback((index: number) => blocks.get(Math.floor(index / HISTORY_BLOCK_ROWS))?.[index % HISTORY_BLOCK_ROWS], [blocks]);
  // One array per change of the blocks: the table rebuilds its rows only when they change, not on every scroll frame.
  const loaded = useMemo(() => [...blocks.keys()].sort((a, b) => a - b).flatMap((block) => blocks.get(block) ?? []), [blocks]);

  const remove = useCallback(async (id: string) => {
    try {
      const { deleted } = await studio.invoke('history.delete', { id });
      if (!deleted) {
        setRevision((value) => value + 1);
      }
      return null;
    } catch (error) {
      return describeError(error).message;
    }
  }, []);

  return { ...status, entryAt, loaded, ensure, remove };
}
