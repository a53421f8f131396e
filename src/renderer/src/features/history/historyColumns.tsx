import { columnVisibilityFeature, createColumnHelper, rowSortingFeature, tableFeatures } from '@tanstack/react-table';
import { describeStudioReference } from '@shared/domain/generation';
import type { HistoryEntry } from '@shared/domain/history';
import type { Project } from '@shared/domain/projects';
import { formatBytes, formatDurationMs } from '../../lib/format';
import { formatLeap, formatStepsRun, formatTimestamp, STATUS_LABELS } from './historyFormat';
import { HistoryRowActions } from './HistoryRowActions';
import { RunThumbnail } from './RunThumbnail';

export const historyFeatures = tableFeatures({ rowSortingFeature, columnVisibilityFeature });
const helper = createColumnHelper<typeof historyFeatures, HistoryEntry>();

export interface RowCallbacks {
  onOpen: (entry: HistoryEntry) => void;
  onUseAgain: (entry: HistoryEntry) => void;
  onExtend: (entry: HistoryEntry) => void;
  onDelete: (entry: HistoryEntry) => Promise<string | null>;
  onStar: (entry: HistoryEntry) => void;
  onMove: (entry: HistoryEntry, projectId: string) => void;
  projects: readonly Project[];
}

const dash = (value: number | null, format: (value: number) => string = String): string => (value === null ? '–' : format(value));

/** The history's columns; ids double as the backend's sort keys where a column sorts. */
export function historyColumns({ onOpen, onUseAgain, onExtend, onDelete, onStar, onMove, projects }: RowCallbacks) {
  return helper.columns([
    helper.accessor('starred', {
      id: 'starred',
      header: 'Star',
      sortDescFirst: true,
      cell: ({ row }) => (
        <button
          type="button"
          className="star-button"
          data-testid="history-star"
          aria-pressed={row.original.starred}
          aria-label={`${row.original.starred ? 'Unstar' : 'Star'} “${row.original.prompt}”`}
          onClick={() => onStar(row.original)}
        >
          {row.original.starred ? '★' : '☆'}
        </button>
      ),
    }),
    helper.display({
      id: 'thumbnail',
      header: 'Clip',
      cell: ({ row }) => <RunThumbnail id={row.original.id} hasMedia={row.original.hasMedia} prompt={row.original.prompt} />,
    }),
    helper.accessor('prompt', {
      id: 'prompt',
      header: 'Prompt',
      sortDescFirst: false,
      cell: ({ getValue, row }) => (
        <span className="history-prompt" title={getValue()}>
          {row.original.derivedFrom ? (
            <span className="muted" title="Made from an earlier run (Use again)" data-testid="history-derived">
              ↳{' '}
            </span>
          ) : null}
          <span data-testid="history-prompt">{getValue()}</span>
          {row.original.request.reference ? (
            <span className="muted history-lineage" data-testid="history-lineage">
              {' '}
              ({describeStudioReference(row.original.request.reference, (runId) => runId.slice(0, 8))})
            </span>
          ) : null}
          {row.original.modelInstalled ? null : (
            <span className="status-tag failed" title={`Model ${row.original.modelId} is not installed here`} data-testid="history-model-missing">
              {' '}
              model missing
            </span>
          )}
        </span>
      ),
    }),
    helper.accessor('seed', { id: 'seed', header: 'Seed', sortDescFirst: false, cell: ({ getValue }) => dash(getValue()) }),
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
    helper.accessor('stepsRun', { id: 'stepsRun', header: 'Steps run / K', sortDescFirst: true, cell: ({ row }) => formatStepsRun(row.original) }),
    helper.accessor('leapStep', {
      id: 'leapStep',
      header: 'LPL',
      sortDescFirst: false,
      cell: ({ getValue }) => <span title={getValue() === null ? 'No leap' : `${getValue()} regular steps, then the leap`}>{formatLeap(getValue())}</span>,
    }),
    helper.accessor('mergedSteps', { id: 'mergedSteps', header: 'TDTM', sortDescFirst: true, cell: ({ getValue }) => dash(getValue()) }),
    helper.accessor('memoryBudgetBytes', { id: 'memoryBudget', header: 'Budget', sortDescFirst: true, cell: ({ getValue }) => dash(getValue(), formatBytes) }),
    helper.accessor('totalMs', { id: 'totalMs', header: 'Time', sortDescFirst: true, cell: ({ getValue }) => dash(getValue(), formatDurationMs) }),
    helper.accessor('peakRssBytes', { id: 'peakRss', header: 'Peak memory', sortDescFirst: true, cell: ({ getValue }) => dash(getValue(), formatBytes) }),
    helper.accessor('createdAtMs', {
      id: 'createdAt',
      header: 'Date',
      sortDescFirst: true,
      cell: ({ getValue }) => <time dateTime={new Date(getValue()).toISOString()}>{formatTimestamp(getValue())}</time>,
    }),
    helper.accessor('projectId', {
      id: 'project',
      header: 'Project',
      enableSorting: false,
      cell: ({ row }) => (
        <select
          className="history-move"
          data-testid="history-move"
          value={row.original.projectId}
          aria-label={`Project of “${row.original.prompt}” (choose one to move it)`}
          onChange={(event) => onMove(row.original, event.target.value)}
        >
          {projects.map((project) => (
            <option key={project.id} value={project.id}>
              {project.name}
            </option>
          ))}
        </select>
      ),
    }),
    helper.display({
      id: 'actions',
      header: 'Actions',
      enableHiding: false,
      cell: ({ row }) => (
        <span className="inline">
          <button
            type="button"
            data-testid="history-open"
            disabled={!row.original.hasMedia}
            aria-label={`Open “${row.original.prompt}” in the result player`}
            onClick={() => onOpen(row.original)}
          >
            Open
          </button>
          <HistoryRowActions entry={row.original} onUseAgain={onUseAgain} onExtend={onExtend} onDelete={onDelete} />
        </span>
      ),
    }),
  ]);
}

/** Columns a user may hide, with the header text the visibility menu shows. */
export const HIDEABLE_COLUMNS: ReadonlyArray<{ id: string; label: string }> = [
  { id: 'starred', label: 'Star' },
  { id: 'thumbnail', label: 'Clip' },
  { id: 'seed', label: 'Seed' },
  { id: 'status', label: 'Status' },
  { id: 'stepsRun', label: 'Steps run / K' },
  { id: 'leapStep', label: 'LPL' },
  { id: 'mergedSteps', label: 'TDTM' },
  { id: 'memoryBudget', label: 'Budget' },
  { id: 'totalMs', label: 'Time' },
  { id: 'peakRss', label: 'Peak memory' },
  { id: 'createdAt', label: 'Date' },
  { id: 'project', label: 'Project' },
];
