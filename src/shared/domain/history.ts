import { z } from 'zod';
import type { GenerateRequest } from './generation';
import type { SerializedError } from '../ipc/errors';

/** One row of the prompt history (a finished, failed or cancelled generation). */
export interface HistoryEntry {
  id: string;
  createdAtMs: number;
  finishedAtMs: number | null;
  status: 'done' | 'failed' | 'cancelled';
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
  request: GenerateRequest;
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
