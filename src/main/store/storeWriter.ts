import type { StoreHealth } from '@shared/domain/history';
import { serializeError, type SerializedError } from '@shared/ipc/errors';
import { storageFaultReason, storageUnavailable } from './storeFaults';

export interface StoreWriterOptions {
  /** The database file, for messages. */
  fileName: string;
  /** Delays between retries while the store fails; the last one repeats. */
  retryDelaysMs?: readonly number[];
  /** Called when the store starts failing, when the backlog changes while failing, and when it is back. */
  onHealth?: (health: StoreHealth) => void;
  /** A write that failed for a reason other than storage (a bug): dropped so it cannot block the queue forever. */
  onDropped?: (label: string, error: SerializedError) => void;
}

interface PendingWrite {
  label: string;
  apply: () => void;
}

const DEFAULT_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000];

/**
 * The store's write queue. Each write runs at once on this thread (SQLite with a short busy timeout, so a locked
 * file costs milliseconds, not seconds); one that meets a storage fault (file locked, disk full, read-only) stays
 * queued with every later write behind it, in order, and is retried on a timer until the store takes them. Nothing
 * here throws at the caller: the job that produced a write keeps its outputs and is told once.
 */
export class StoreWriter {
  private readonly pending: PendingWrite[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryIndex = 0;
  private health: StoreHealth = { kind: 'ok' };

  constructor(private readonly options: StoreWriterOptions) {}

  /** Applies or queues a write; returns the typed error when it could not be written now (it will be, later). */
  write(label: string, apply: () => void): SerializedError | undefined {
    this.pending.push({ label, apply });
    if (this.pending.length === 1) {
      this.flush();
    } else {
      this.report();
    }
    return this.health.kind === 'failing' ? this.health.error : undefined;
  }

  get pendingWrites(): number {
    return this.pending.length;
  }

  getHealth(): StoreHealth {
    return this.health;
  }

  /** Tries every queued write now, in order (the retry timer calls this too). */
  flush(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    while (this.pending.length > 0) {
      const next = this.pending[0];
      try {
        next.apply();
        this.pending.shift();
      } catch (error) {
        if (!storageFaultReason(error)) {
          this.pending.shift();
          this.options.onDropped?.(next.label, serializeError(error));
          continue;
        }
        this.fail(error);
        return;
      }
    }
    this.retryIndex = 0;
    if (this.health.kind !== 'ok') {
      this.health = { kind: 'ok' };
      this.options.onHealth?.(this.health);
    }
  }

  /** Stops retrying (shutdown); queued writes are lost with the process, as a crash would lose them. */
  dispose(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private fail(cause: unknown): void {
    const error = storageUnavailable(this.options.fileName, cause, 'What it could not take is kept and written when it is available again; outputs are not affected.');
    this.health = { kind: 'failing', error: serializeError(error), pendingWrites: this.pending.length, sinceMs: this.health.kind === 'failing' ? this.health.sinceMs : Date.now() };
    this.options.onHealth?.(this.health);
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const delayMs = delays[Math.min(this.retryIndex, delays.length - 1)];
    this.retryIndex++;
    this.retryTimer = setTimeout(() => this.flush(), delayMs);
    this.retryTimer.unref();
  }

  private report(): void {
    if (this.health.kind === 'failing') {
      this.health = { ...this.health, pendingWrites: this.pending.length };
      this.options.onHealth?.(this.health);
    }
  }
}
