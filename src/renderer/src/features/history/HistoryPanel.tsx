import { FlexRender, useTable, type ColumnVisibilityState, type Row, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { HistoryEntry } from '@shared/domain/history';
import { describeError, studio } from '../../ipc/studio';
import { readStored, writeStored } from '../../lib/localStore';
import { useCurrentProjectId } from '../projects/currentProject';
import { useProjects } from '../projects/useProjects';
import { HIDEABLE_COLUMNS, historyColumns, historyFeatures } from './historyColumns';
import { DeleteConfirmationContext } from './deleteConfirmation';
import { DEFAULT_SORT, describeRange, historyFilterFor, type TriState } from './historyQuery';
import { useHistoryWindow } from './useHistoryWindow';

const SEARCH_DEBOUNCE_MS = 250;
/** Fixed row height: the virtualizer places rows without measuring them, which keeps long scrolls smooth. */
const ROW_HEIGHT_PX = 44;
const VISIBILITY_KEY = 'studio.history.columns.v1';
const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

/** A filter on whether a technique was used: any, used, not used. */
function UsedFilter({ label, testId, value, onChange }: { label: string; testId: string; value: TriState; onChange: (value: TriState) => void }): React.JSX.Element {
  return (
    <label className="inline">
      {label}
      <select data-testid={testId} value={value} onChange={(event) => onChange(event.target.value as TriState)}>
        <option value="any">any</option>
        <option value="used">used</option>
        <option value="unused">not used</option>
      </select>
    </label>
  );
}

interface HistoryPanelProps {
  /** Refills the composer with the entry's request. */
  onUseAgain: (entry: HistoryEntry) => void;
  /** Starts a run continuing the entry's clip from its last frames. */
  onExtend: (runId: string, base: HistoryEntry['request']) => Promise<void>;
  /** Plays the run in the result player. */
  onOpen: (entry: HistoryEntry) => void;
}

interface HistoryRowProps {
  row: Row<typeof historyFeatures, HistoryEntry>;
  index: number;
  /** The visible column ids; with `columns` it says when the cells must render again. */
  columnsKey: string;
  columns: unknown;
}

/**
 * One body row, rendered again only when its entry, its place or the columns change: the table makes new row
 * objects whenever a block of rows arrives, but the entries of the blocks already shown keep their identity, so
 * scrolling renders only the rows that come into view.
 */
const HistoryRow = memo(
  function HistoryRow({ row, index }: HistoryRowProps): React.JSX.Element {
  const entry = row.original;
  return (
    <tr style={{ height: ROW_HEIGHT_PX }} aria-rowindex={index + 2} data-testid="history-row" data-entry-id={entry.id} data-status={entry.status} data-starred={entry.starred} data-derived-from={entry.derivedFrom ?? ''}>
      {row.getVisibleCells().map((cell) => (
        <td key={cell.id} data-column={cell.column.id}>
          <FlexRender cell={cell} />
        </td>
      ))}
    </tr>
  );
  },
  (before, after) => before.row.original === after.row.original && before.index === after.index && before.columnsKey === after.columnsKey && before.columns === after.columns,
);

interface HistoryBodyProps {
  scrollRef: React.RefObject<HTMLDivElement | null>;
  total: number;
  entryAt: (index: number) => HistoryEntry | undefined;
  rowById: ReadonlyMap<string, Row<typeof historyFeatures, HistoryEntry>>;
  visibleColumnCount: number;
  columnsKey: string;
  columns: unknown;
  /** The rows in view (with overscan), whenever they change. */
  onRange: (first: number, last: number) => void;
}

/** The virtualized body: it alone renders again as the list scrolls (the header, filters and search do not). */
function HistoryBody({ scrollRef, total, entryAt, rowById, visibleColumnCount, columnsKey, columns, onRange }: HistoryBodyProps): React.JSX.Element {
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT_PX,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => onRange(first, last), [onRange, first, last]);
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = Math.max(0, virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0));
  return (
    <tbody>
      {paddingTop > 0 ? <tr aria-hidden="true" style={{ height: paddingTop }} /> : null}
      {items.map((item) => {
        const entry = entryAt(item.index);
        const row = entry ? rowById.get(entry.id) : undefined;
        if (!entry || !row) {
          return (
            <tr key={`pending-${item.index}`} className="history-pending" style={{ height: ROW_HEIGHT_PX }} aria-rowindex={item.index + 2}>
              <td colSpan={visibleColumnCount}>…</td>
            </tr>
          );
        }
        return <HistoryRow key={row.id} row={row} index={item.index} columnsKey={columnsKey} columns={columns} />;
      })}
      {paddingBottom > 0 ? <tr aria-hidden="true" style={{ height: paddingBottom }} /> : null}
    </tbody>
  );
}

/** The rows in view, kept outside React state so scrolling does not render the whole panel again. */
function createRangeStore() {
  let range = { first: 0, last: 0 };
  const listeners = new Set<() => void>();
  return {
    get: () => range,
    set(first: number, last: number) {
      if (range.first !== first || range.last !== last) {
        range = { first, last };
        listeners.forEach((listener) => listener());
      }
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function RangeLabel({ store, total }: { store: ReturnType<typeof createRangeStore>; total: number }): React.JSX.Element {
  const { first, last } = useSyncExternalStore(store.subscribe, store.get);
  return (
    <p className="muted" data-testid="history-range">
      {describeRange(first, last, total)}
    </p>
  );
}

function storedVisibility(): ColumnVisibilityState {
  const stored = readStored(VISIBILITY_KEY);
  return stored && typeof stored === 'object' ? (stored as ColumnVisibilityState) : {};
}

/**
 * Every run the studio kept, whenever it was made: thumbnail (plays on hover), prompt, seed, steps, LPL, TDTM, budget,
 * time, peak memory, date and star. Sorting, full-text search and filters run in the backend; the body is
 * virtualized and fetches only the rows in view, so it stays smooth at 10,000 runs.
 */
export function HistoryPanel({ onUseAgain, onExtend, onOpen }: HistoryPanelProps): React.JSX.Element {
  const currentProjectId = useCurrentProjectId();
  const { state: projectsState } = useProjects();
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [sorting, setSorting] = useState<SortingState>([{ ...DEFAULT_SORT }]);
  const [projectFilter, setProjectFilter] = useState<string | null>(currentProjectId);
  const [modelId, setModelId] = useState<string | null>(null);
  const [lpl, setLpl] = useState<TriState>('any');
  const [tdtm, setTdtm] = useState<TriState>('any');
  const [starredOnly, setStarredOnly] = useState(false);
  const [columnVisibility, setColumnVisibility] = useState<ColumnVisibilityState>(storedVisibility);
  const [announcement, setAnnouncement] = useState('');
  const scrollRef = useRef<HTMLDivElement>(null);

  // The history follows the project chosen in the project bar (it can still be widened to every project).
  useEffect(() => setProjectFilter(currentProjectId), [currentProjectId]);
  useEffect(() => writeStored(VISIBILITY_KEY, columnVisibility), [columnVisibility]);
  useEffect(() => {
    if (searchText === search) {
      return;
    }
    const timer = setTimeout(() => setSearch(searchText), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText, search]);

  const filter = useMemo(
    () => historyFilterFor({ sorting, search, projectId: projectFilter, modelId, lpl, tdtm, starredOnly }),
    [sorting, search, projectFilter, modelId, lpl, tdtm, starredOnly],
  );
  const history = useHistoryWindow(filter);
  const { remove } = history;

  const refill = useCallback(
    (entry: HistoryEntry) => {
      onUseAgain(entry);
      setAnnouncement(`The composer now holds “${entry.prompt}” with its settings.`);
    },
    [onUseAgain],
  );
  const extend = useCallback(
    (entry: HistoryEntry) => {
      void onExtend(entry.id, entry.request);
      setAnnouncement(`A run extending “${entry.prompt}” was queued.`);
    },
    [onExtend],
  );
  const [confirmingEntryId, setConfirmingEntryId] = useState<string | null>(null);
  const deleteEntry = useCallback(
    async (entry: HistoryEntry) => {
      const problem = await remove(entry.id);
      setAnnouncement(problem ? `Could not delete “${entry.prompt}”: ${problem}` : `Deleted “${entry.prompt}” from the history.`);
      if (!problem) {
        // The question is answered: no row asks any more, and focus goes to the table.
        setConfirmingEntryId(null);
        scrollRef.current?.focus();
      }
      return problem;
    },
    [remove],
  );
  const star = useCallback((entry: HistoryEntry) => {
    studio.invoke('history.star', { id: entry.id, starred: !entry.starred }).then(
      ({ starred }) => setAnnouncement(`${starred ? 'Starred' : 'Unstarred'} “${entry.prompt}”.`),
      (error: unknown) => setAnnouncement(`Could not star “${entry.prompt}”: ${describeError(error).message}`),
    );
  }, []);
  const move = useCallback(
    (entry: HistoryEntry, projectId: string) => {
      const name = projectsState.projects.find((project) => project.id === projectId)?.name ?? projectId;
      studio.invoke('runs.move', { ids: [entry.id], projectId }).then(
        () => setAnnouncement(`Moved “${entry.prompt}” to “${name}”.`),
        (error: unknown) => setAnnouncement(`Could not move “${entry.prompt}”: ${describeError(error).message}`),
      );
    },
    [projectsState.projects],
  );
  const open = useCallback(
    (entry: HistoryEntry) => {
      onOpen(entry);
      setAnnouncement(`Playing “${entry.prompt}” in the result player.`);
    },
    [onOpen],
  );
  const deleteConfirmation = useMemo(() => ({ entryId: confirmingEntryId, setEntryId: setConfirmingEntryId }), [confirmingEntryId]);
  const columns = useMemo(
    () => historyColumns({ onOpen: open, onUseAgain: refill, onExtend: extend, onDelete: deleteEntry, onStar: star, onMove: move, projects: projectsState.projects }),
    [open, refill, extend, deleteEntry, star, move, projectsState.projects],
  );

  const table = useTable({
    features: historyFeatures,
    columns,
    data: history.loaded as HistoryEntry[],
    getRowId: (entry) => entry.id,
    state: { sorting, columnVisibility },
    onSortingChange: (updater) => {
      setSorting(updater);
      scrollRef.current?.scrollTo({ top: 0 });
    },
    onColumnVisibilityChange: setColumnVisibility,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });
  const rowModel = table.getRowModel();
  const rowById = useMemo(() => new Map(rowModel.rows.map((row) => [row.id, row])), [rowModel]);
  const visibleColumns = table.getVisibleLeafColumns();
  const visibleColumnCount = visibleColumns.length;
  const columnsKey = visibleColumns.map((column) => column.id).join(',');

  const [rangeStore] = useState(createRangeStore);
  const { ensure } = history;
  const onRange = useCallback(
    (first: number, last: number) => {
      ensure(first, last);
      rangeStore.set(first, last);
    },
    [ensure, rangeStore],
  );

  const sortedBy = sorting[0] ?? DEFAULT_SORT;
  const modelIds = [...new Set(history.loaded.map((entry) => entry.modelId).filter((id): id is string => id !== null)), ...(modelId ? [modelId] : [])];
  const filtered = Boolean(search.trim()) || modelId !== null || lpl !== 'any' || tdtm !== 'any' || starredOnly;

  return (
    <section className="panel history" aria-labelledby="history-heading" data-testid="history-panel" data-state={history.kind} data-total={history.total}>
      <div className="panel-header">
        <h2 id="history-heading">
          History <span className="muted">({history.total} {filtered ? 'matching' : 'in all'})</span>
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
      <div className="history-filters inline" role="group" aria-label="Filters">
        <label className="inline">
          Project
          <select data-testid="history-filter-project" value={projectFilter ?? ''} onChange={(event) => setProjectFilter(event.target.value || null)}>
            <option value="">All projects</option>
            {projectsState.projects.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Model
          <select data-testid="history-filter-model" value={modelId ?? ''} onChange={(event) => setModelId(event.target.value || null)}>
            <option value="">All models</option>
            {[...new Set(modelIds)].map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <UsedFilter label="LPL" testId="history-filter-lpl" value={lpl} onChange={setLpl} />
        <UsedFilter label="TDTM" testId="history-filter-tdtm" value={tdtm} onChange={setTdtm} />
        <label className="inline">
          <input type="checkbox" data-testid="history-filter-starred" checked={starredOnly} onChange={(event) => setStarredOnly(event.target.checked)} />
          Starred only
        </label>
        <details className="history-columns">
          <summary data-testid="history-columns">Columns</summary>
          {HIDEABLE_COLUMNS.map(({ id, label }) => {
            const column = table.getColumn(id);
            return (
              <label key={id} className="inline">
                <input type="checkbox" data-testid={`history-column-${id}`} checked={column?.getIsVisible() ?? true} onChange={(event) => column?.toggleVisibility(event.target.checked)} />
                {label}
              </label>
            );
          })}
        </details>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="history-announcement">
        {announcement}
      </p>
      {history.kind === 'error' ? (
        <p className="error" role="alert">
          Could not read the history: {history.message}
        </p>
      ) : null}
      {history.total === 0 && history.kind !== 'loading' ? (
        <p className="hint" data-testid="history-empty">
          {search.trim() ? `No prompt contains “${search.trim()}”.` : filtered ? 'No run matches these filters.' : 'Finished, failed and cancelled generations are listed here.'}
        </p>
      ) : null}
      <div ref={scrollRef} className="history-scroll" data-testid="history-scroll" role="region" aria-labelledby="history-heading" tabIndex={0}>
        <DeleteConfirmationContext.Provider value={deleteConfirmation}>
          <table className="history-table" id="history-table" data-testid="history-table" aria-busy={history.kind === 'loading'} aria-rowcount={history.total + 1}>
            <caption className="visually-hidden">
              Run history, sorted by {sortedBy.id} {sortedBy.desc ? 'descending' : 'ascending'}. Sortable columns have a button in their header.
            </caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const column = header.column;
                    const direction = column.getIsSorted();
                    if (!column.getCanSort()) {
                      return (
                        <th key={header.id} scope="col" data-column={column.id}>
                          {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                        </th>
                      );
                    }
                    const next = column.getNextSortingOrder();
                    return (
                      <th key={header.id} scope="col" data-column={column.id} aria-sort={direction ? ARIA_SORT[direction] : 'none'} data-testid={`history-header-${column.id}`}>
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
            <HistoryBody
              scrollRef={scrollRef}
              total={history.total}
              entryAt={history.entryAt}
              rowById={rowById}
              visibleColumnCount={visibleColumnCount}
              columnsKey={columnsKey}
              columns={columns}
              onRange={onRange}
            />
          </table>
        </DeleteConfirmationContext.Provider>
      </div>
      <RangeLabel store={rangeStore} total={history.total} />
    </section>
  );
}
