import path from 'node:path';
import type { HistoryEntry, HistoryQuery, StoreHealth } from '@shared/domain/history';
import type { SerializedError } from '@shared/ipc/errors';
import { openStudioDatabase, type StudioDatabase } from './database';
import { HistoryRepository, type HistoryRepositoryOptions } from './historyRepository';
import { markInterruptedRuns, writeFinishedRun, writeQueuedRun, writeRunStarted, type FinishedRun, type QueuedRun } from './runLog';
import { orStorageError } from './storeFaults';
import { StoreWriter, type StoreWriterOptions } from './storeWriter';

export type RunStoreOptions = Pick<StoreWriterOptions, 'retryDelaysMs'> & HistoryRepositoryOptions;

/**
 * The run history as the backend uses it: lifecycle writes go through the write queue (never throwing, never
 * blocking for long), reads turn storage faults into STORAGE_UNAVAILABLE. Opening it marks the runs a previous
 * studio left queued or running as interrupted.
 */
export class RunStore {
  readonly history: HistoryRepository;
  private readonly writer: StoreWriter;
  private readonly fileName: string;
  private readonly healthListeners = new Set<(health: StoreHealth) => void>();

  constructor(
    readonly db: StudioDatabase,
    options: RunStoreOptions = {},
  ) {
    this.fileName = path.basename(db.name);
    this.history = new HistoryRepository(db, { isModelInstalled: options.isModelInstalled });
    this.writer = new StoreWriter({
      retryDelaysMs: options.retryDelaysMs,
      fileName: this.fileName,
      onHealth: (health) => this.healthListeners.forEach((listener) => listener(health)),
      onDropped: (label, error) => process.stderr.write(`warning: history write "${label}" was dropped: ${error.message}\n`),
    });
    this.writer.write('mark interrupted runs', () => markInterruptedRuns(db));
  }

  /** The returned error (if any) says the write is waiting in memory; it is written when the store is back. */
  queued(run: QueuedRun): SerializedError | undefined {
    return this.writer.write(`queued ${run.id}`, () => writeQueuedRun(this.db, run));
  }

  started(id: string, startedAtMs: number): SerializedError | undefined {
    return this.writer.write(`started ${id}`, () => writeRunStarted(this.db, id, startedAtMs));
  }

  /**
   * The end of a run, written before the job's end is announced: a backlog left by a lock that has gone since the
   * last retry is tried now (not at the next timer), so the row is readable when "done" is sent. An error says the
   * store still refuses writes (the row is written when it takes them).
   */
  finished(run: FinishedRun): SerializedError | undefined {
    if (!this.writer.write(`finished ${run.id}`, () => writeFinishedRun(this.db, run))) {
      return undefined;
    }
    this.writer.flush();
    const health = this.writer.getHealth();
    return health.kind === 'failing' ? health.error : undefined;
  }

  list(query: HistoryQuery): { entries: HistoryEntry[]; total: number } {
    return orStorageError(this.fileName, 'read', () => this.history.list(query));
  }

  delete(id: string): boolean {
    return this.guard('changed', () => this.history.delete(id));
  }

  /** Runs another call on this database that the user waits on; a storage fault becomes STORAGE_UNAVAILABLE. */
  guard<T>(action: 'read' | 'changed', call: () => T): T {
    return orStorageError(this.fileName, action, call);
  }

  health(): StoreHealth {
    return this.writer.getHealth();
  }

  /** Health changes: failing (with the typed error and the backlog) and back to ok once the backlog is written. */
  onHealth(listener: (health: StoreHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  /** Tries the queued writes now (otherwise a timer does). */
  flush(): void {
    this.writer.flush();
  }

  close(): void {
    this.writer.dispose();
    this.db.close();
  }
}

export function openRunStore(filePath: string, options: RunStoreOptions = {}): RunStore {
  return new RunStore(openStudioDatabase(filePath), options);
}
