import { z } from 'zod';
import type { StudioGenerateRequest } from './generation';
import type { SerializedError } from '../ipc/errors';

/**
 * A run's place in its lifecycle: recorded when queued, updated when it starts and ends. A run still queued or running
 * when the studio stopped (a crash, a kill) is marked interrupted at the next start, its prompt and settings kept.
 */
export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One row of the prompt history: a run, in any state of its lifecycle. */
export interface HistoryEntry {
  id: string;
  createdAtMs: number;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  status: RunStatus;
  prompt: string;
  seed: number | null;
  modelId: string | null;
  steps: number | null;
  stepsRun: number | null;
  leapStep: number | null;
  mergedSteps: number | null;
  totalMs: number | null;
  peakRssBytes: number | null;
  /** The request as given, so "use again" can refill the composer. */
  request: StudioGenerateRequest;
  error: SerializedError | null;
  outputs: string[];
  projectId: string;
  /** The run this one was made from ("Use again", or a changed prompt after it); null for a fresh run. */
  derivedFrom: string | null;
  starred: boolean;
  modelVersion: string | null;
  /** SHA-256 of the model package's manifest.json when the run was made. */
  manifestHash: string | null;
  memoryBudgetBytes: number | null;
  /** The run has a thumbnail and frames in the data folder (the clip can be played from there). */
  hasMedia: boolean;
  /** False when the run names a model that is not installed here (e.g. it came in with an imported project). */
  modelInstalled: boolean;
}

export const HISTORY_SORT_COLUMNS = ['createdAt', 'prompt', 'totalMs', 'stepsRun', 'seed', 'leapStep', 'mergedSteps', 'memoryBudget', 'peakRss', 'starred'] as const;
export type HistorySortColumn = (typeof HISTORY_SORT_COLUMNS)[number];

export const historyQuerySchema = z
  .object({
    /** Words to find in prompts (SQLite FTS5; every word must occur, each also as a prefix). */
    search: z.string().max(500).optional(),
    projectId: z.string().min(1).max(100).optional(),
    modelId: z.string().min(1).max(200).optional(),
    lplUsed: z.boolean().optional(),
    tdtmUsed: z.boolean().optional(),
    starredOnly: z.boolean().optional(),
    sortBy: z.enum(HISTORY_SORT_COLUMNS).default('createdAt'),
    descending: z.boolean().default(true),
    limit: z.number().int().min(1).max(500).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export type HistoryQuery = z.output<typeof historyQuerySchema>;
export type HistoryQueryInput = z.input<typeof historyQuerySchema>;

/** Whether the prompt history can be written; while failing, changes wait in memory and are written when it is back. */
export type StoreHealth =
  | { kind: 'ok' }
  | { kind: 'failing'; error: SerializedError; pendingWrites: number; sinceMs: number }
  /** The database could not be opened at start: the studio runs without history; `fix` says what to do. */
  | { kind: 'unavailable'; reason: string; fix: string };
