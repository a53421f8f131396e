import { Worker } from 'node:worker_threads';

/**
 * Samples the process RSS (the engine process, ORT workers included) from a thread of its own, every `intervalMs`,
 * and keeps the peak in shared memory. The engine's own thread runs synchronous sampler math on large latents and
 * ORT blocks its worker threads, so a timer on either could miss a peak; this thread does nothing else.
 *
 * The thread is a V8 isolate of its own, ≈ 11 MB of RSS on Linux x64 (Node 20): memory the measurement itself
 * adds. A baseline that a peak is compared with must be read after `started()` resolves, with the monitor up.
 */
const SAMPLER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const cells = new Float64Array(workerData.shared);
const sample = () => {
  const rss = process.memoryUsage.rss();
  cells[1] = rss;
  if (rss > cells[0]) cells[0] = rss;
};
sample();
setInterval(sample, workerData.intervalMs);
parentPort.postMessage('sampling');
`;

/** The default sampling interval: a peak shorter than this can be missed (the measured-memory test's resolution). */
export const RSS_SAMPLE_INTERVAL_MS = 10;

/** How often `settledRssBytes` reads RSS, how many readings without a fall end it, and how many at most. */
const SETTLE_POLL_MS = 5;
const SETTLE_STEADY_POLLS = 3;
const SETTLE_MAX_POLLS = 40;

/**
 * The process RSS once what was just freed has left it. V8 hands the pages a collection freed back to the system on
 * background threads after `gc()` returns (measured here: RSS fell by 30–45 MB in the 5 ms after a full collection on
 * the engine thread), so a reading right after the collection holds memory that is already dead. Reads every 5 ms
 * until RSS has not fallen for three readings in a row (200 ms at most) and returns the lowest reading.
 */
export async function settledRssBytes(): Promise<number> {
  let lowest = process.memoryUsage.rss();
  let steady = 0;
  for (let poll = 0; poll < SETTLE_MAX_POLLS && steady < SETTLE_STEADY_POLLS; poll++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    const rss = process.memoryUsage.rss();
    steady = rss < lowest ? 0 : steady + 1;
    lowest = Math.min(lowest, rss);
  }
  return lowest;
}

export class RssMonitor {
  private readonly cells: Float64Array;
  private readonly worker: Worker;
  private readonly sampling: Promise<void>;

  constructor(intervalMs = RSS_SAMPLE_INTERVAL_MS) {
    const shared = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
    this.cells = new Float64Array(shared);
    this.cells[0] = process.memoryUsage.rss();
    this.worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: { shared, intervalMs } });
    this.sampling = new Promise((resolve, reject) => {
      this.worker.once('message', () => {
        // Unreferenced only once it is up: a caller awaiting started() with nothing else pending (the bench probe)
        // would otherwise see the event loop drain and the process exit 0 before the first sample.
        this.worker.unref();
        resolve();
      });
      this.worker.once('error', reject);
    });
    this.sampling.catch(() => undefined);
  }

  /** Resolves once the sampling thread is up and has taken its first sample (its own memory is then resident). */
  started(): Promise<void> {
    return this.sampling;
  }

  /** The RSS now (sampled on this thread too, so a caller always gets a fresh figure). */
  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.cells[0]) {
      this.cells[0] = rss;
    }
    return rss;
  }

  /** Highest RSS either thread saw since construction or the last resetPeak(). */
  get peak(): number {
    return this.cells[0];
  }

  resetPeak(): void {
    this.cells[0] = process.memoryUsage.rss();
  }

  stop(): void {
    void this.worker.terminate();
  }
}
