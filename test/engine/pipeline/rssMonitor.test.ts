import { describe, expect, it } from 'vitest';
import { RssMonitor } from '../../../src/main/engine/pipeline/rssMonitor';

/** The RSS peak is sampled off the engine's thread: synchronous work there cannot hide a peak. */
describe('RssMonitor', () => {
  it('sees a peak that lives only inside synchronous work on this thread', async () => {
    const monitor = new RssMonitor(5);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = monitor.peak;
      const burstBytes = 256 * 1024 * 1024;
      // Allocate, touch every page, hold it while busy (no yield, no timers on this thread), then drop it.
      let burst: Uint8Array | null = new Uint8Array(burstBytes);
      burst.fill(7);
      const until = performance.now() + 150;
      while (performance.now() < until) {
        // busy: the sampler thread must catch the peak on its own
      }
      expect(burst[burstBytes - 1]).toBe(7);
      burst = null;
      expect(monitor.peak - before).toBeGreaterThan(0.8 * burstBytes);
    } finally {
      monitor.stop();
    }
  });
});
