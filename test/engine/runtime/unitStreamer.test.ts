import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { streamingSessionOptions } from '../../../src/main/engine/runtime/sessionOptions';
import { float32View, type SessionOptions, type TensorMap } from '../../../src/main/engine/runtime/types';
import { WorkerExecutor } from '../../../src/main/engine/runtime/workerExecutor';
import { MemoryBudgetError, planMemory, type MemoryBudget } from '../../../src/shared/model/memoryPlan';
import { formatMegabytes } from '../../../src/shared/util/bytes';
import {
  isAbortError,
  UnitStreamer,
  type PassResult,
  type StreamerEvent,
  type StreamUnit,
  type UnitStreamerOptions,
} from '../../../src/main/engine/streaming/unitStreamer';
import { condTensor, loadChain, maxAbsDiff, type ChainFixture } from './chainFixture';

// Small chain for correctness (8 blocks, weights 33–197 KB each, all different sizes).
let small: ChainFixture;
// Larger chain where loads and runs take milliseconds, for overlap, abort and timing (52 MB of weights).
let large: ChainFixture;

beforeAll(() => {
  small = loadChain('stream-small');
  large = loadChain('stream-large');
});
afterAll(() => {
  small.cleanup();
  large.cleanup();
});

async function withStreamer<T>(options: UnitStreamerOptions, body: (streamer: UnitStreamer) => Promise<T>): Promise<T> {
  const streamer = new UnitStreamer(options);
  try {
    return await body(streamer);
  } finally {
    await streamer.dispose();
  }
}

function runChain(streamer: UnitStreamer, fixture: ChainFixture, units: readonly StreamUnit[], signal?: AbortSignal): Promise<PassResult> {
  return streamer.runPass(units, fixture.feedsFor(condTensor(fixture)), { keepFeeds: ['cond'], signal });
}

function output(result: PassResult): Float32Array {
  return float32View(result.outputs.h_out);
}

describe('UnitStreamer on a real ONNX chain', () => {
  it('all-resident reference matches numpy', async () => {
    await withStreamer({ budget: { kind: 'all' } }, async (streamer) => {
      const units = small.streamUnits('main');
      const first = await runChain(streamer, small, units);
      expect(maxAbsDiff(output(first), small.expectedMain)).toBeLessThan(1e-4);
      expect(first.plan.residentCount).toBe(units.length);
      // Second pass: everything resident, nothing loaded.
      const second = await runChain(streamer, small, units);
      expect(second.timeline.every((row) => row.loadStartMs === null)).toBe(true);
      expect(maxAbsDiff(output(second), output(first))).toBe(0);
    });
  });

  it('streams at min, every prefix boundary, a middle budget and all: identical outputs, peak <= budget', async () => {
    const units = small.streamUnits('main');
    const reference = await withStreamer({ budget: { kind: 'all' } }, async (streamer) => output(await runChain(streamer, small, units)));
    const minBytes = planMemory(units, { kind: 'min' }).minWorkingSetBytes;
    const totalBytes = units.reduce((sum, unit) => sum + unit.sizeBytes, 0);
    // need(k) = prefix(k) + largest streamed pair, derived here independently: budgets exactly at each boundary are
    // where an off-by-one in prefetching would break the budget.
    const sizes = units.map((unit) => unit.sizeBytes);
    const boundaries = new Set<number>();
    for (let k = 1; k < sizes.length - 1; k++) {
      const prefix = sizes.slice(0, k).reduce((sum, size) => sum + size, 0);
      let pair = 0;
      for (let i = k; i + 1 < sizes.length; i++) {
        pair = Math.max(pair, sizes[i] + sizes[i + 1]);
      }
      boundaries.add(prefix + pair);
    }
    const budgets: MemoryBudget[] = [
      { kind: 'min' },
      ...[...boundaries].map((bytes): MemoryBudget => ({ kind: 'bytes', bytes })),
      { kind: 'bytes', bytes: Math.round((minBytes + totalBytes) / 2) },
      { kind: 'all' },
    ];
    const residentCounts: number[] = [];
    for (const budget of budgets) {
      const events: StreamerEvent[] = [];
      await withStreamer({ budget, onEvent: (event) => events.push(event) }, async (streamer) => {
        for (let pass = 0; pass < 3; pass++) {
          const result = await runChain(streamer, small, units);
          expect(maxAbsDiff(output(result), reference)).toBeLessThanOrEqual(1e-6);
          expect(result.peakResidentBytes).toBeLessThanOrEqual(result.plan.budgetBytes);
          expect(result.peakResidentBytes).toBeLessThanOrEqual(result.plan.peakSessionBytes);
          // Only the resident prefix survives a pass, in the accounting and in the workers.
          expect(streamer.loadedUnitIds().sort()).toEqual([...result.plan.residentUnitIds].sort());
          expect((await streamer.workerSessions()).flat().sort()).toEqual([...result.plan.residentUnitIds].sort());
          if (pass > 0) {
            // Resident units are never loaded again; streamed ones are loaded every pass, all but unit 0 prefetched
            // (the budget's safety net never had to skip a prefetch).
            for (const row of result.timeline) {
              expect(row.loadStartMs === null).toBe(row.unitIndex < result.plan.residentCount);
              if (row.loadStartMs !== null && row.unitIndex > 0) {
                expect(row.prefetched).toBe(true);
              }
            }
          }
          residentCounts[budgets.indexOf(budget)] = result.plan.residentCount;
        }
        expect(streamer.peakResidentBytes).toBeLessThanOrEqual(planMemory(units, budget).budgetBytes);
      });
      // Every accounted state the events report stays within the budget.
      const budgetBytes = planMemory(units, budget).budgetBytes;
      for (const event of events) {if (event.kind !== 'unit-ran') {expect(event.residentBytes).toBeLessThanOrEqual(budgetBytes);}}
    }
    expect(residentCounts[0]).toBe(0);
    expect(residentCounts[budgets.length - 2]).toBeGreaterThan(0);
    expect(residentCounts[budgets.length - 2]).toBeLessThan(units.length);
    expect(residentCounts[budgets.length - 1]).toBe(units.length);
    expect(new Set(residentCounts).size).toBeGreaterThanOrEqual(4);
  });

  it('creates resident sessions with weight prepacking and streamed ones (one run each) without it, reading their weights through, with the same outputs', async () => {
    const units = small.streamUnits('main');
    const minBytes = planMemory(units, { kind: 'min' }).minWorkingSetBytes;
    const totalBytes = units.reduce((sum, unit) => sum + unit.sizeBytes, 0);
    const budget: MemoryBudget = { kind: 'bytes', bytes: Math.round((minBytes + totalBytes) / 2) };
    const loads = vi.spyOn(WorkerExecutor.prototype, 'load');
    const loaded: Extract<StreamerEvent, { kind: 'unit-loaded' }>[] = [];
    const onEvent = (event: StreamerEvent): void => {
      if (event.kind === 'unit-loaded') {
        loaded.push(event);
      }
    };
    try {
      await withStreamer({ budget, onEvent }, async (streamer) => {
        const plan = streamer.plan(units);
        expect(plan.residentCount).toBeGreaterThan(0);
        expect(plan.residentCount).toBeLessThan(units.length);
        for (let pass = 0; pass < 2; pass++) {
          expect(maxAbsDiff(output(await runChain(streamer, small, units)), small.expectedMain)).toBeLessThan(1e-4);
        }
        const prepackingOff = (options: SessionOptions | undefined): boolean =>
          (options?.extra as { session?: Record<string, unknown> } | undefined)?.session?.disable_prepacking === '1';
        const unitLoads = loads.mock.calls.filter(([unitId]) => units.some((unit) => unit.id === unitId));
        // Resident units load once, streamed ones on every pass.
        expect(unitLoads).toHaveLength(plan.residentCount + 2 * (units.length - plan.residentCount));
        for (const [unitId, , options, readThroughPath] of unitLoads) {
          const index = units.findIndex((unit) => unit.id === unitId);
          const streamed = index >= plan.residentCount;
          expect(prepackingOff(options), `${unitId}: index ${index}, ${plan.residentCount} resident`).toBe(streamed);
          expect(readThroughPath, unitId).toBe(streamed ? units[index].weightsPath : undefined);
        }
        // A streamed load read its whole weights file; a resident one read nothing extra.
        expect(loaded).toHaveLength(unitLoads.length);
        for (const event of loaded) {
          const index = units.findIndex((unit) => unit.id === event.unitId);
          const weightsPath = units[index].weightsPath;
          expect(weightsPath, event.unitId).toBeDefined();
          expect(event.readBytes, event.unitId).toBe(index >= plan.residentCount ? statSync(weightsPath as string).size : 0);
        }
      });
    } finally {
      loads.mockRestore();
    }
  });

  it('refuses a budget below the minimum working set, naming it in bytes and MB', async () => {
    const units = small.streamUnits('main');
    const minBytes = planMemory(units, { kind: 'min' }).minWorkingSetBytes;
    await withStreamer({ budget: { kind: 'bytes', bytes: minBytes - 1 } }, async (streamer) => {
      const attempt = runChain(streamer, small, units);
      await expect(attempt).rejects.toBeInstanceOf(MemoryBudgetError);
      await expect(runChain(streamer, small, units)).rejects.toThrow(`${minBytes} bytes (${formatMegabytes(minBytes)})`);
      expect(streamer.loadedUnitIds()).toEqual([]);
    });
  });

  it('prefetches unit i+1 on the other executor while unit i runs', async () => {
    await withStreamer({ budget: { kind: 'min' }, sessionOptions: streamingSessionOptions({ intraOpNumThreads: 1 }) }, async (streamer) => {
      const units = large.streamUnits('main');
      await runChain(streamer, large, units); // warm-up
      const result = await runChain(streamer, large, units);
      expect(maxAbsDiff(output(result), large.expectedMain)).toBeLessThan(1e-3);
      const rows = result.timeline;
      rows.forEach((row, k) => expect(row.executor).toBe(k % 2));
      expect(rows[0].prefetched).toBe(false);
      let overlapping = 0;
      for (let i = 0; i + 1 < rows.length; i++) {
        const [running, next] = [rows[i], rows[i + 1]];
        expect(next.prefetched).toBe(true);
        expect(next.executor).not.toBe(running.executor);
        if (next.loadStartMs === null || next.loadEndMs === null) {
          throw new Error('streamed unit without a load');
        }
        // The load of i+1 is issued while unit i runs, once unit i−1's release is confirmed (the budget counts on
        // it); with these millisecond units a release can outlast the run, so not every pair overlaps.
        if (next.loadStartMs < running.runEndMs && next.loadEndMs > running.runStartMs) {
          overlapping++;
        }
      }
      // How many loads also end after their neighbour's run began depends on how the OS schedules the two threads
      // (a busy machine can finish a small load before the run starts); some must overlap compute.
      expect(overlapping).toBeGreaterThan(0);
      expect(result.overlapMs).toBeGreaterThan(0);
    });
  });

  it('releases a streamed unit while the next one runs: a slow release does not hold back the next run', async () => {
    const SLOW_RELEASE_MS = 100;
    const calls: { kind: 'run' | 'released'; unitId: string }[] = [];
    const run = WorkerExecutor.prototype.run;
    const release = WorkerExecutor.prototype.release;
    const runs = vi.spyOn(WorkerExecutor.prototype, 'run').mockImplementation(function (this: WorkerExecutor, ...args: Parameters<WorkerExecutor['run']>) {
      calls.push({ kind: 'run', unitId: args[0] });
      return run.apply(this, args);
    });
    const releases = vi.spyOn(WorkerExecutor.prototype, 'release').mockImplementation(async function (this: WorkerExecutor, ...args: Parameters<WorkerExecutor['release']>) {
      // A release slower than a load or a run here, so the order below cannot come from timing luck.
      await new Promise((resolve) => setTimeout(resolve, SLOW_RELEASE_MS));
      const reply = await release.apply(this, args);
      calls.push({ kind: 'released', unitId: args[0] });
      return reply;
    });
    try {
      await withStreamer({ budget: { kind: 'min' } }, async (streamer) => {
        const units = large.streamUnits('main');
        const result = await runChain(streamer, large, units);
        expect(maxAbsDiff(output(result), large.expectedMain)).toBeLessThan(1e-3);
        expect(result.plan.residentCount).toBe(0);
        const order = (kind: 'run' | 'released', unitId: string): number => calls.findIndex((call) => call.kind === kind && call.unitId === unitId);
        for (let i = 0; i + 1 < units.length; i++) {
          expect(order('released', units[i].id), units[i].id).toBeGreaterThan(order('run', units[i + 1].id));
        }
        expect(order('released', units[units.length - 1].id)).toBeGreaterThan(order('run', units[units.length - 1].id));
        expect(streamer.loadedUnitIds()).toEqual([]);
        expect(result.peakResidentBytes).toBeLessThanOrEqual(result.plan.budgetBytes - result.plan.reserveBytes);
      });
    } finally {
      runs.mockRestore();
      releases.mockRestore();
    }
  });

  it('sequential schedule loads, runs and releases one at a time with no overlap', async () => {
    await withStreamer({ budget: { kind: 'min' }, schedule: 'sequential' }, async (streamer) => {
      const result = await runChain(streamer, small, small.streamUnits('main'));
      expect(maxAbsDiff(output(result), small.expectedMain)).toBeLessThan(1e-4);
      expect(result.overlapMs).toBe(0);
      expect(result.timeline.some((row) => row.prefetched)).toBe(false);
      expect(result.peakResidentBytes).toBe(Math.max(...small.streamUnits('main').map((unit) => unit.sizeBytes)));
    });
  });

  it('abort mid-pass rejects promptly and leaves only the resident prefix', async () => {
    const units = large.streamUnits('main');
    const middle = planMemory(units, { kind: 'min' }).minWorkingSetBytes + units[0].sizeBytes + units[1].sizeBytes;
    // Case (b) arms a timer when block 2 has run, so the abort lands while later units run or load (5 remain).
    let onUnitRan: ((unitId: string) => void) | null = null;
    const onEvent = (event: StreamerEvent): void => {
      if (event.kind === 'unit-ran') {onUnitRan?.(event.unitId);}
    };
    await withStreamer({ budget: { kind: 'bytes', bytes: middle }, onEvent }, async (streamer) => {
      const plan = streamer.plan(units);
      expect(plan.residentCount).toBe(2);
      // (a) abort raised while the caller prepares unit 4's feeds
      const controller = new AbortController();
      const feeds = large.feedsFor(condTensor(large));
      let abortedAtMs = 0;
      const pass = streamer.runPass(
        units,
        (index, previous: TensorMap | null) => {
          if (index === 4) {
            abortedAtMs = performance.now();
            controller.abort();
          }
          return feeds(index, previous);
        },
        { keepFeeds: ['cond'], signal: controller.signal },
      );
      const error = await pass.catch((caught: unknown) => caught);
      expect(isAbortError(error)).toBe(true);
      expect(performance.now() - abortedAtMs).toBeLessThan(1000);
      expect(streamer.loadedUnitIds().sort()).toEqual([...plan.residentUnitIds].sort());
      expect((await streamer.workerSessions()).flat().sort()).toEqual([...plan.residentUnitIds].sort());
      expect(streamer.residentBytes).toBe(plan.residentPrefixBytes);

      // (b) abort from a timer while a unit runs
      const timed = new AbortController();
      let timerAbortMs = 0;
      onUnitRan = (unitId) => {
        if (unitId === units[2].id) {
          setTimeout(() => {
            timerAbortMs = performance.now();
            timed.abort();
          }, 0);
        }
      };
      const timedError = await runChain(streamer, large, units, timed.signal).then(
        () => null,
        (caught: unknown) => caught,
      );
      onUnitRan = null;
      expect(timerAbortMs).toBeGreaterThan(0);
      expect(isAbortError(timedError)).toBe(true);
      expect(performance.now() - timerAbortMs).toBeLessThan(1000);
      expect((await streamer.workerSessions()).flat().sort()).toEqual([...plan.residentUnitIds].sort());

      // The streamer is still usable, and releaseAll empties both workers.
      const after = await runChain(streamer, large, units);
      expect(maxAbsDiff(output(after), large.expectedMain)).toBeLessThan(1e-3);
      await streamer.releaseAll();
      expect(streamer.loadedUnitIds()).toEqual([]);
      expect(streamer.residentBytes).toBe(0);
      expect((await streamer.workerSessions()).flat()).toEqual([]);
      // An already aborted signal rejects before anything loads.
      await expect(runChain(streamer, large, units, AbortSignal.abort())).rejects.toSatisfy(isAbortError);
      expect(streamer.loadedUnitIds()).toEqual([]);
    });
  });

  it('switches between unit sets sharing weight files (normal and TDTM-like)', async () => {
    const main = small.streamUnits('main');
    const alt = small.streamUnits('alt');
    const minBytes = planMemory(main, { kind: 'min' }).minWorkingSetBytes;
    const totalBytes = main.reduce((sum, unit) => sum + unit.sizeBytes, 0);
    const budgetBytes = Math.round((minBytes + totalBytes) / 2);
    await withStreamer({ budget: { kind: 'bytes', bytes: budgetBytes } }, async (streamer) => {
      // alt set first (like TDTM steps), release it at the switch, then the normal set.
      for (let step = 0; step < 2; step++) {
        expect(maxAbsDiff(output(await runChain(streamer, small, alt)), small.expectedAlt)).toBeLessThan(1e-4);
      }
      const altPlan = streamer.plan(alt);
      expect(streamer.loadedUnitIds().sort()).toEqual([...altPlan.residentUnitIds].sort());
      await streamer.releaseUnits(altPlan.residentUnitIds);
      expect(streamer.loadedUnitIds()).toEqual([]);
      for (let step = 0; step < 2; step++) {
        expect(maxAbsDiff(output(await runChain(streamer, small, main)), small.expectedMain)).toBeLessThan(1e-4);
      }
      expect(streamer.loadedUnitIds().every((id) => !id.endsWith('.alt'))).toBe(true);

      // If the caller forgets to release the other set, the streamer evicts it rather than exceed the budget.
      streamer.resetPeak();
      expect(maxAbsDiff(output(await runChain(streamer, small, alt)), small.expectedAlt)).toBeLessThan(1e-4);
      expect(streamer.peakResidentBytes).toBeLessThanOrEqual(budgetBytes);
      expect((await streamer.workerSessions()).flat().sort()).toEqual([...altPlan.residentUnitIds].sort());
    });
  });

  it('rejects misuse clearly', async () => {
    await withStreamer({ budget: { kind: 'min' } }, async (streamer) => {
      const units = small.streamUnits('main');
      const pass = runChain(streamer, small, units);
      await expect(streamer.releaseAll()).rejects.toMatchObject({ code: 'E_BUSY' });
      await expect(runChain(streamer, small, units)).rejects.toMatchObject({ code: 'E_BUSY' });
      await pass;
      await expect(streamer.runPass([units[0], units[0]], small.feedsFor(condTensor(small)))).rejects.toThrow(/unique/);
      // A feed reused without keepFeeds is detached by the first run and caught with a hint.
      const cond = condTensor(small);
      await expect(streamer.runPass(units, small.feedsFor(cond))).rejects.toThrow(/keepFeeds/);
      expect(streamer.loadedUnitIds()).toEqual([]);
      // A missing model file fails the pass and leaves nothing loaded.
      const broken = units.map((unit, i) => (i === 3 ? { ...unit, modelPath: `${unit.modelPath}.missing` } : unit));
      await expect(runChain(streamer, small, broken)).rejects.toMatchObject({ code: 'E_LOAD_FAILED' });
      expect(streamer.loadedUnitIds()).toEqual([]);
      expect((await streamer.workerSessions()).flat()).toEqual([]);
    });
  });

  it('measures sequential vs concurrent streaming on the large chain', async () => {
    const units = large.streamUnits('main');
    // Passes are interleaved across the three modes so background load on a shared machine hits them alike.
    const modes: Record<'sequential' | 'concurrent' | 'allResident', UnitStreamerOptions> = {
      sequential: { budget: { kind: 'min' }, schedule: 'sequential' },
      concurrent: { budget: { kind: 'min' }, schedule: 'concurrent' },
      allResident: { budget: { kind: 'all' } },
    };
    const streamers = Object.entries(modes).map(([mode, options]) => ({ mode, streamer: new UnitStreamer(options), results: [] as PassResult[] }));
    try {
      for (let pass = 0; pass < 6; pass++) {
        for (const entry of streamers) {
          const result = await runChain(entry.streamer, large, units);
          if (pass > 0) {entry.results.push(result);} // pass 0 warms up (and loads the all-resident set)
        }
      }
    } finally {
      for (const entry of streamers) {
        await entry.streamer.dispose();
      }
    }
    const median = (values: number[]): number => +[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(1);
    const byMode = Object.fromEntries(streamers.map((entry) => [entry.mode, entry.results]));
    const summary = {
      weightsMB: +(units.reduce((sum, unit) => sum + unit.sizeBytes, 0) / 1e6).toFixed(1),
      wallMs: Object.fromEntries(streamers.map((entry) => [entry.mode, median(entry.results.map((r) => r.wallMs))])),
      loadMs: Object.fromEntries(streamers.map((entry) => [entry.mode, median(entry.results.map((r) => r.loadMs))])),
      runMs: Object.fromEntries(streamers.map((entry) => [entry.mode, median(entry.results.map((r) => r.runMs))])),
      concurrentOverlapMs: median(byMode.concurrent.map((r) => r.overlapMs)),
      peakMB: Object.fromEntries(streamers.map((entry) => [entry.mode, +(entry.results[0].peakResidentBytes / 1e6).toFixed(2)])),
    };
    console.log(`[unitStreamer timing] ${JSON.stringify(summary)}`);
    expect(summary.concurrentOverlapMs).toBeGreaterThan(0);
    for (const result of byMode.sequential) {
      expect(result.overlapMs).toBe(0);
    }
  });
});
