import type { SerializedError } from '../ipc/errors';
import type { ModelSummary } from './studio';

/** An added model whose package does not read: listed with its reason, so it can be removed. */
export interface BrokenModel {
  id: string;
  reason: string;
}

/** Events of one checkpoint import ("models.import"), tagged by kind; failed includes a cancel (code CANCELLED). */
export type ModelImportEvent =
  | { importId: string; kind: 'progress'; unitId: string; done: number; total: number; elapsedMs: number }
  | { importId: string; kind: 'done'; model: ModelSummary }
  | { importId: string; kind: 'failed'; error: SerializedError };
