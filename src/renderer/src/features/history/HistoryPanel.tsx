import { createColumnHelper, rowPaginationFeature, rowSortingFeature, tableFeatures, useTable, type PaginationState, type SortingState } from '@tanstack/react-table';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryEntry } from '../../../../shared/domain/history';
import { formatBytes, formatDurationMs } from '../../lib/format';
import { formatLeap, formatStepsRun, formatTimestamp, STATUS_LABELS } from './historyFormat';
import { clampPageIndex, DEFAULT_PAGE_SIZE, DEFAULT_SORT, describeRange, historyQueryFor, PAGE_SIZES } from './historyQuery';
import { HistoryRowActions } from './HistoryRowActions';
import { useHistory } from './useHistory';

const features = tableFeatures({ rowSortingFeature, rowPaginationFeature });
const helper = createColumnHelper<typeof features, HistoryEntry>();
const SEARCH_DEBOUNCE_MS = 250;

interface RowCallbacks {
  onUseAgain: (entry: HistoryEntry) => void;
  onDelete: (entry: HistoryEntry) => Promise<string | null>;
}

function columnsFor({ onUseAgain, onDelete }: RowCallbacks) {
  return helper.columns([
    helper.accessor('createdAtMs', {
      id: 'createdAt',
      header: 'Time',
      sortDescFirst: true,
      cell: ({ getValue }) => <time dateTime={new Date(getValue()).toISOString()}>{formatTimestamp(getValue())}</time>,
    }),
    helper.accessor('prompt', {
      id: 'prompt',
      header: 'Prompt',
      sortDescFirst: false,
      cell: ({ getValue }) => (
        <span className="history-prompt" title={getValue()} data-testid="history-prompt">
          {getValue()}
        </span>
      ),
    }),
    helper.accessor('seed', { id: 'seed', header: 'Seed', enableSorting: false, cell: ({ getValue }) => getValue() ?? '–' }),
    helper.accessor('status', {
      id: 'status',
      header: 'Status',
      enableSorting: false,
      cell: ({ getValue, row }) => (
        <span className={`status-tag ${getValue()}`} title={row.original.error?.message}>
          {STATUS_LABELS[getValue()]}
        </span>
      ),
    }),
    helper.accessor('stepsRun', { id: 'stepsRun', header: 'Steps run', sortDescFirst: true, sortUndefined: 'last', cell: ({ row }) => formatStepsRun(row.original) }),
    helper.accessor('leapStep', {
      id: 'leapStep',
      header: 'Leap step',
      enableSorting: false,
      cell: ({ getValue }) => <span title={getValue() === null ? 'No leap' : `${getValue()} regular steps, then the leap`}>{formatLeap(getValue())}</span>,
    }),
    helper.accessor('mergedSteps', { id: 'mergedSteps', header: 'Merged steps', enableSorting: false, cell: ({ getValue }) => getValue() ?? '–' }),
    helper.accessor('totalMs', {
      id: 'totalMs',
      header: 'Total time',
      sortDescFirst: true,
      sortUndefined: 'last',
      cell: ({ getValue }) => {
        const value = getValue();
        return value === null ? '–' : formatDurationMs(value);
      },
    }),
    helper.accessor('peakRssBytes', {
      id: 'peakRss',
      header: 'Peak RSS',
      enableSorting: false,
      cell: ({ getValue }) => {
        const value = getValue();
        return value === null ? '–' : formatBytes(value);
      },
    }),
    helper.display({
      id: 'actions',
      header: 'Actions',
      cell: ({ row }) => <HistoryRowActions entry={row.original} onUseAgain={onUseAgain} onDelete={onDelete} />,
    }),
  ]);
}

const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

interface HistoryPanelProps {
  engineReadyPid: number | undefined;
  /** Refills the composer with the entry's request. */
  onUseAgain: (entry: HistoryEntry) => void;
}

/**
 * The prompt history kept by the backend: searchable (on the server), sortable by time, prompt, steps run and total
 * time, paged, with "Use again" and "Delete" per row. It refreshes itself whenever the history changes.
 */
export function HistoryPanel({ engineReadyPid, onUseAgain }: HistoryPanelProps): React.JSX.Element {
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [sorting, setSorting] = useState<SortingState>([{ ...DEFAULT_SORT }]);
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: DEFAULT_PAGE_SIZE });
  const [announcement, setAnnouncement] = useState('');
  const tableRegion = useRef<HTMLDivElement>(null);

  // The search goes to the backend a moment after typing stops; a new search starts on the first page.
  useEffect(() => {
    if (searchText === search) {
      return;
    }
    const timer = setTimeout(() => {
      setSearch(searchText);
      setPagination((current) => (current.pageIndex === 0 ? current : { ...current, pageIndex: 0 }));
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText, search]);

  const query = useMemo(() => historyQueryFor({ sorting, search, ...pagination }), [sorting, search, pagination]);
  const { page, remove } = useHistory(query, engineReadyPid);

  // A delete (here or elsewhere) can empty the last page: step back to one that has rows.
  useEffect(() => {
    if (page.kind !== 'ready') {
      return;
    }
    const pageIndex = clampPageIndex(pagination.pageIndex, pagination.pageSize, page.total);
    if (pageIndex !== pagination.pageIndex) {
      setPagination({ ...pagination, pageIndex });
    }
  }, [page, pagination]);

  const refill = useCallback(
    (entry: HistoryEntry) => {
      onUseAgain(entry);
      setAnnouncement(`The composer now holds “${entry.prompt}” with its settings.`);
    },
    [onUseAgain],
  );
  const deleteEntry = useCallback(
    async (entry: HistoryEntry) => {
      const problem = await remove(entry.id);
      setAnnouncement(problem ? `Could not delete “${entry.prompt}”: ${problem}` : `Deleted “${entry.prompt}” from the history.`);
      if (!problem) {
        // The row and its focused button go away: keep the keyboard in the table.
        tableRegion.current?.focus();
      }
      return problem;
    },
    [remove],
  );
  const columns = useMemo(() => columnsFor({ onUseAgain: refill, onDelete: deleteEntry }), [refill, deleteEntry]);

  const table = useTable({
    features,
    columns,
    data: page.entries as HistoryEntry[],
    getRowId: (entry) => entry.id,
    state: { sorting, pagination },
    onSortingChange: (updater) => {
      setSorting(updater);
      setPagination((current) => ({ ...current, pageIndex: 0 }));
    },
    onPaginationChange: setPagination,
    manualSorting: true,
    manualPagination: true,
    rowCount: page.total,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });

  const rows = table.getRowModel().rows;
  const pageCount = Math.max(1, table.getPageCount());
  const sortedBy = sorting[0] ?? DEFAULT_SORT;
  const sortedColumn = table.getAllLeafColumns().find((column) => column.id === sortedBy.id);
  const sortedHeader = typeof sortedColumn?.columnDef.header === 'string' ? sortedColumn.columnDef.header : sortedBy.id;

  return (
    <section className="panel history" aria-labelledby="history-heading" data-testid="history-panel" data-state={page.kind} data-total={page.total}>
      <div className="panel-header">
        <h2 id="history-heading">
          History <span className="muted">({page.total} {search.trim() ? 'matching' : 'in all'})</span>
        </h2>
        <div className="history-search">
          <label htmlFor="history-search">Search prompts</label>
          <input
            id="history-search"
            type="search"
            data-testid="history-search"
            value={searchText}
            placeholder="e.g. red circle"
            aria-controls="history-table"
            onChange={(event) => setSearchText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && searchText) {
                event.preventDefault();
                event.stopPropagation();
                setSearchText('');
              }
            }}
          />
        </div>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="history-announcement">
        {announcement}
      </p>
      {page.kind === 'error' ? (
        <p className="error" role="alert">
          Could not read the history: {page.message}
        </p>
      ) : null}
      {page.total === 0 && page.kind !== 'loading' ? (
        <p className="hint" data-testid="history-empty">
          {search.trim() ? `No prompt contains “${search.trim()}”.` : 'Finished, failed and cancelled generations are listed here.'}
        </p>
      ) : null}
      <div ref={tableRegion} className="history-scroll" role="region" aria-labelledby="history-heading" tabIndex={0}>
        <table className="history-table" id="history-table" data-testid="history-table" aria-busy={page.kind === 'loading'}>
          <caption className="visually-hidden">
            Prompt history, sorted by {sortedHeader} {sortedBy.desc ? 'descending' : 'ascending'}. Sortable columns have a button in their header.
          </caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const column = header.column;
                  const direction = column.getIsSorted();
                  if (!column.getCanSort()) {
                    return (
                      <th key={header.id} scope="col">
                        {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                      </th>
                    );
                  }
                  const next = column.getNextSortingOrder();
                  return (
                    <th key={header.id} scope="col" aria-sort={direction ? ARIA_SORT[direction] : 'none'} data-testid={`history-header-${column.id}`}>
                      <button
                        type="button"
                        className="sort-button"
                        data-testid={`history-sort-${column.id}`}
                        onClick={column.getToggleSortingHandler()}
                        title={next ? `Sort ${next === 'asc' ? 'ascending' : 'descending'}` : undefined}
                      >
                        <table.FlexRender header={header} />
                        <span aria-hidden="true" className="sort-mark">
                          {direction === 'asc' ? '▲' : direction === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="history-row" data-entry-id={row.original.id} data-status={row.original.status}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} data-column={cell.column.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="history-pager" aria-label="History pages">
        <button type="button" data-testid="history-prev" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
          ‹ Previous
        </button>
        <span data-testid="history-page">
          Page {pagination.pageIndex + 1} of {pageCount}
        </span>
        <button type="button" data-testid="history-next" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
          Next ›
        </button>
        <label className="inline">
          Rows per page
          <select value={pagination.pageSize} data-testid="history-page-size" onChange={(event) => table.setPageSize(Number(event.target.value))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" data-testid="history-range">
          {describeRange(pagination.pageIndex, pagination.pageSize, rows.length, page.total)}
        </span>
      </nav>
    </section>
  );
}
