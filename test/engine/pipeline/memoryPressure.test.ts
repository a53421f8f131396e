import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineSession } from '../../../src/main/engine/pipeline/engineSession';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { defaultPressureThresholdBytes, MemoryPressureWatch } from '../../../src/main/engine/pipeline/memoryPressure';
import { parseVmStat } from '../../../src/main/engine/system/availableMemory';
import { fixturePackage } from '../support/randomPackage';

/**
 * Memory pressure: an idle warm engine gives its sessions back when the system's available memory falls below the
 * threshold, never while a job runs, and the next job loads again and runs. The available memory is the one
 * input the test sets; sessions, streamer and job are the real ones.
 */
describe('memory pressure releases the warm engine', () => {
  let modelPath = '';
  const watches: MemoryPressureWatch[] = [];
  let session: EngineSession;
  beforeAll(() => {
    modelPath = fixturePackage('random-d4');
  });
  afterEach(async () => {
    watches.splice(0).forEach((watch) => watch.stop());
    await session.releaseAll();
  });

  const warmEngine = async (): Promise<EngineSession> => {
    session = new EngineSession({ persistent: true });
    await generateVideo({ prompt: 'a red circle moving left on a blue background', seed: 3, steps: 2, modelPath }, { session });
    return session;
  };
  const watch = (options: { available: number; busy?: boolean }): MemoryPressureWatch => {
    const made = new MemoryPressureWatch({ session, isBusy: () => options.busy ?? false, availableBytes: () => options.available, thresholdBytes: 1e9, intervalMs: 60_000 });
    watches.push(made);
    return made;
  };

  it('releases every session of an idle engine below the threshold, and the next job loads again', async () => {
    await warmEngine();
    const heldBytes = session.warmBytes();
    expect(heldBytes).toBeGreaterThan(0);
    expect(session.loadedUnitIds().length).toBeGreaterThan(0);
    const release = await watch({ available: 5e8 }).check();
    expect(release).toEqual({ availableBytes: 5e8, thresholdBytes: 1e9, releasedBytes: heldBytes });
    expect(session.loadedUnitIds()).toEqual([]);
    expect(session.warmBytes()).toBe(0);
    const { summary } = await generateVideo({ prompt: 'a red circle moving left on a blue background', seed: 4, steps: 2, modelPath }, { session });
    expect(summary.stepsRun).toBe(2);
    // The text embedding went too: the text encoder ran again.
    expect(summary.timingsMs.text).toBeGreaterThan(0);
  });

  it('keeps the sessions above the threshold and while a job runs', async () => {
    await warmEngine();
    const loaded = session.loadedUnitIds();
    expect(await watch({ available: 2e9 }).check()).toBeNull();
    expect(await watch({ available: 1e8, busy: true }).check()).toBeNull();
    expect(session.loadedUnitIds()).toEqual(loaded);
  });

  it('defaults to the larger of 1 GiB and a tenth of the machine', () => {
    expect(defaultPressureThresholdBytes(4 * 2 ** 30)).toBe(2 ** 30);
    expect(defaultPressureThresholdBytes(32 * 2 ** 30)).toBe(Math.round(3.2 * 2 ** 30));
  });
});

describe('available memory on macOS (vm_stat)', () => {
  it('adds free, inactive, speculative and purgeable pages', () => {
    const sample = [
      'Mach Virtual Memory Statistics: (page size of 16384 bytes)',
      'Pages free:                               10000.',
      'Pages active:                            500000.',
      'Pages inactive:                          200000.',
      'Pages speculative:                         3000.',
      'Pages throttled:                              0.',
      'Pages wired down:                        150000.',
      'Pages purgeable:                           7000.',
      '"Translation faults":                 123456789.',
    ].join('\n');
    expect(parseVmStat(sample)).toBe((10000 + 200000 + 3000 + 7000) * 16384);
    expect(parseVmStat('no such output')).toBeNull();
  });
});
