import { Worker } from 'node:worker_threads';

/**
 * Samples the process RSS (the engine process, ORT workers included) from a thread of its own, every `intervalMs`,
 * and keeps the peak in shared memory. The engine's own thread runs synchronous sampler math on large latents and
 * ORT blocks its worker threads, so a timer on either could miss a peak; this thread does nothing else.
 */
const SAMPLER_SOURCE = `
const { workerData } = require('node:worker_threads');
const cells = new Float64Array(workerData.shared);
const sample = () => {
  const rss = process.memoryUsage.rss();
  cells[1] = rss;
  if (rss > cells[0]) cells[0] = rss;
};
sample();
setInterval(sample, workerData.intervalMs);
`;

export class RssMonitor {
  private readonly cells: Float64Array;
  private readonly worker: Worker;

  constructor(intervalMs = 10) {
    const shared = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
    this.cells = new Float64Array(shared);
    this.cells[0] = process.memoryUsage.rss();
    this.worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: { shared, intervalMs } });
    this.worker.unref();
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
