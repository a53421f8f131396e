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
}

export const historyQuerySchema = z
  .object({
    search: z.string().max(500).optional(),
    sortBy: z.enum(['createdAt', 'prompt', 'totalMs', 'stepsRun']).default('createdAt'),
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
  | { kind: 'failing'; error: SerializedError; pendingWrites: number; sinceMs: number };
