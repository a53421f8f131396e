import os from 'node:os';
import { availableMemoryBytes } from '../system/availableMemory';
import type { EngineSession } from './engineSession';

export interface MemoryPressureOptions {
  readonly session: EngineSession;
  /** True while a job runs: its sessions are in use, and the job releases what it streams itself. */
  readonly isBusy: () => boolean;
  /** Memory the system can still give; default availableMemoryBytes (system/availableMemory.ts). */
  readonly availableBytes?: () => number;
  /** Below this, the warm sessions go. Default: the larger of 1 GiB and 10 % of the machine's memory. */
  readonly thresholdBytes?: number;
  readonly intervalMs?: number;
  readonly onRelease?: (event: MemoryPressureRelease) => void;
}

export interface MemoryPressureRelease {
  readonly availableBytes: number;
  readonly thresholdBytes: number;
  /** Model bytes the warm engine held before the release. */
  readonly releasedBytes: number;
}

export function defaultPressureThresholdBytes(totalBytes: number = os.totalmem()): number {
  return Math.max(2 ** 30, Math.round(totalBytes * 0.1));
}

/**
 * Between jobs the warm engine keeps sessions loaded (EngineSession). When the rest of the machine needs that
 * memory, an idle engine gives it back: every `intervalMs` it checks what the system has available and, below the
 * threshold, releases every session and cached text embedding. The next job loads what it needs again.
 */
export class MemoryPressureWatch {
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  readonly thresholdBytes: number;

  constructor(private readonly options: MemoryPressureOptions) {
    this.thresholdBytes = options.thresholdBytes ?? defaultPressureThresholdBytes();
    this.timer = setInterval(() => void this.check(), options.intervalMs ?? 2000);
    this.timer.unref();
  }

  /** One check now; resolves to the release made, or null. */
  async check(): Promise<MemoryPressureRelease | null> {
    const { session, isBusy } = this.options;
    const heldBytes = session.warmBytes();
    if (this.checking || isBusy() || heldBytes === 0) {
      return null;
    }
    const availableBytes = (this.options.availableBytes ?? availableMemoryBytes)();
    if (availableBytes >= this.thresholdBytes) {
      return null;
    }
    this.checking = true;
    try {
      await session.releaseAll();
      const release = { availableBytes, thresholdBytes: this.thresholdBytes, releasedBytes: heldBytes };
      this.options.onRelease?.(release);
      return release;
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
