import { HISTORY_SORT_COLUMNS, type HistorySortColumn } from '@shared/domain/history';
import type { HistoryFilter } from './useHistoryWindow';

export type TriState = 'any' | 'used' | 'unused';

/** What the history's controls hold: one sort column, the search text as typed, and the filters. */
export interface HistoryView {
  sorting: ReadonlyArray<{ id: string; desc: boolean }>;
  search: string;
  /** null = every project. */
  projectId: string | null;
  /** null = every model. */
  modelId: string | null;
  lpl: TriState;
  tdtm: TriState;
  starredOnly: boolean;
}

export const DEFAULT_SORT = { id: 'createdAt', desc: true } as const;

function isSortable(id: string): id is HistorySortColumn {
  return (HISTORY_SORT_COLUMNS as readonly string[]).includes(id);
}

const used = (value: TriState): boolean | undefined => (value === 'any' ? undefined : value === 'used');

/** The history.list filter for a view: newest first unless a sortable column is chosen; blank search = no filter. */
export function historyFilterFor(view: HistoryView): HistoryFilter {
  const sort = view.sorting.find((entry) => isSortable(entry.id)) ?? DEFAULT_SORT;
  const search = view.search.trim();
  const lplUsed = used(view.lpl);
  const tdtmUsed = used(view.tdtm);
  return {
    ...(search ? { search } : {}),
    ...(view.projectId ? { projectId: view.projectId } : {}),
    ...(view.modelId ? { modelId: view.modelId } : {}),
    ...(lplUsed === undefined ? {} : { lplUsed }),
    ...(tdtmUsed === undefined ? {} : { tdtmUsed }),
    ...(view.starredOnly ? { starredOnly: true } : {}),
    sortBy: sort.id as HistorySortColumn,
    descending: sort.desc,
  };
}

/** "Rows 11–20 of 43" for the rows in view (or "No rows"). */
export function describeRange(first: number, last: number, total: number): string {
  if (total === 0) {
    return 'No rows';
  }
  const from = Math.min(Math.max(0, first), total - 1) + 1;
  const to = Math.min(Math.max(first, last), total - 1) + 1;
  return `Rows ${from}–${to} of ${total}`;
}
