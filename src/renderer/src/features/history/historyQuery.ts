import type { HistoryQuery } from '../../../../shared/domain/history';

/** The columns the backend can sort by; the table's column ids are these same names. */
export const SORTABLE_COLUMNS = ['createdAt', 'prompt', 'totalMs', 'stepsRun'] as const satisfies ReadonlyArray<HistoryQuery['sortBy']>;
export type SortableColumn = (typeof SORTABLE_COLUMNS)[number];

export const PAGE_SIZES = [5, 10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 10;

/** The table's view of the history query: one sort column, a page, and the search text as typed. */
export interface HistoryView {
  sorting: ReadonlyArray<{ id: string; desc: boolean }>;
  pageIndex: number;
  pageSize: number;
  search: string;
}

export const DEFAULT_SORT = { id: 'createdAt', desc: true } as const;

function isSortable(id: string): id is SortableColumn {
  return (SORTABLE_COLUMNS as readonly string[]).includes(id);
}

/** The history.list params for a view: newest first unless a sortable column is chosen; blank search = no filter. */
export function historyQueryFor(view: HistoryView): HistoryQuery {
  const sort = view.sorting.find((entry) => isSortable(entry.id)) ?? DEFAULT_SORT;
  const search = view.search.trim();
  const pageSize = Math.max(1, Math.floor(view.pageSize));
  return {
    ...(search ? { search } : {}),
    sortBy: sort.id as SortableColumn,
    descending: sort.desc,
    limit: pageSize,
    offset: Math.max(0, Math.floor(view.pageIndex)) * pageSize,
  };
}

/** The page to show after the total changed (e.g. a delete emptied the last page): the last page that has rows. */
export function clampPageIndex(pageIndex: number, pageSize: number, total: number): number {
  const lastPage = Math.max(0, Math.ceil(total / Math.max(1, pageSize)) - 1);
  return Math.min(Math.max(0, pageIndex), lastPage);
}

/** "Rows 11–20 of 43" (or "No rows"). */
export function describeRange(pageIndex: number, pageSize: number, rowsOnPage: number, total: number): string {
  if (total === 0 || rowsOnPage === 0) {
    return total === 0 ? 'No rows' : `No rows on this page (${total} in all)`;
  }
  const first = pageIndex * pageSize + 1;
  return `Rows ${first}–${first + rowsOnPage - 1} of ${total}`;
}
