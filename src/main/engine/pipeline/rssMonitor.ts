/** Samples the process RSS (the engine process, workers included) on a timer and keeps the peak. */
export class RssMonitor {
  private peakBytes = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 20) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    this.peakBytes = Math.max(this.peakBytes, rss);
    return rss;
  }

  get peak(): number {
    return this.peakBytes;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
