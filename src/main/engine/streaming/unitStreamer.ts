/**
 * UnitStreamer: Concurrent Inference with Dynamic Loading over ORT worker executors (CI-DL: arXiv 2502.04363
 * Fig. 8 and 10; docs/techniques.md §CI-DL).
 *
 * - Two WorkerExecutors alternate: unit k's session lives on executor k % 2, so unit k+1 can be created on the other
 *   thread while unit k runs (ORT's create and run each block their thread; docs/runtime-notes.md §Blocking calls).
 * - Memory follows a MemoryPlan decided once per unit set: the resident prefix stays loaded across passes and is
 *   never prefetched again; streamed units are prefetched one ahead and released right after they run, the release
 *   overlapping the next unit's run on the other executor.
 * - Every session has one owner: the executor that created it; this class decides when each is loaded/released and
 *   accounts their sizeBytes (in-flight loads included) against the plan's budget, which it never exceeds.
 * - Activations cross threads as transferred ArrayBuffers (worker → engine → other worker, no copies).
 * - The AbortSignal is checked at every unit boundary; an aborted or failed pass waits for the executors' in-flight
 *   work, releases its streamed units and rejects (AbortError for an abort), leaving only the resident prefix.
 */
import type { UnitTiming } from '@shared/domain/generation';
import { OrtRuntimeError, type LoadReply, type RunReply, type SessionOptions, type TensorMap, type TimeSpanMs } from '../runtime/types';
import { epochNowMs } from '../runtime/clock';
import { collectGarbage } from '../runtime/garbage';
import { streamingSessionOptions, unitSessionOptions, type UnitResidency } from '../runtime/sessionOptions';
import { WorkerExecutor } from '../runtime/workerExecutor';
import { planMemory, type MemoryBudget, type MemoryPlan } from '@shared/model/memoryPlan';

export interface StreamUnit {
  readonly id: string;
  /** Absolute path of the unit's ONNX file (its external weights are read from next to it). */
  readonly modelPath: string;
  /**
   * Absolute path of its external weights file, if it has one: a streamed load reads it through on the load thread
   * (runtime/types.ts, the load request), so the run finds the weights in memory.
   */
  readonly weightsPath?: string;
  /** Bytes the unit keeps resident once loaded (manifest sizeBytes); what the budget counts. */
  readonly sizeBytes: number;
  /** Outputs to fetch; default every output. */
  readonly outputNames?: readonly string[];
  /**
   * Sizes for the unit's symbolic axes, given to its session as onnxruntime's freeDimensionOverrides (static shapes
   * for the CoreML EP; shared/model/staticAxes.ts). A loaded session with other sizes is released and created again.
   */
  readonly freeDimensionOverrides?: Readonly<Record<string, number>>;
}

/** CI on (prefetch i+1 while i runs) or off (load, run, release one after another: the paper's baseline). */
export type StreamSchedule = 'concurrent' | 'sequential';

export interface UnitStreamerOptions {
  readonly budget: MemoryBudget;
  /** Bytes outside the sessions (activations, fixed parts) that the budget must also cover. Default 0. */
  readonly reserveBytes?: number;
  /** Options for every session; default streamingSessionOptions() for this platform. */
  readonly sessionOptions?: SessionOptions;
  /** Path of ortWorker.mjs when it is not next to workerExecutor's module (bundled app). */
  readonly workerPath?: string;
  readonly schedule?: StreamSchedule;
  readonly onEvent?: (event: StreamerEvent) => void;
}

export type StreamerEvent =
  | {
      readonly kind: 'unit-loaded';
      readonly unitId: string;
      readonly executor: number;
      readonly prefetched: boolean;
      readonly durationMs: number;
      /** Bytes of its weights file read through during the load (streamed units only). */
      readonly readBytes: number;
      readonly residentBytes: number;
    }
  | { readonly kind: 'unit-ran'; readonly unitId: string; readonly executor: number; readonly durationMs: number }
  | { readonly kind: 'unit-released'; readonly unitId: string; readonly executor: number; readonly residentBytes: number };

export type FeedsFor = (unitIndex: number, previousOutputs: TensorMap | null) => TensorMap | Promise<TensorMap>;

export interface RunPassOptions {
  readonly signal?: AbortSignal;
  /** Feeds that the caller reuses across units (e.g. text embeddings): copied, not transferred. */
  readonly keepFeeds?: readonly string[];
}

export interface PassResult {
  /** Outputs of the last unit. */
  readonly outputs: TensorMap;
  readonly timeline: readonly UnitTiming[];
  readonly plan: MemoryPlan;
  readonly startMs: number;
  readonly endMs: number;
  readonly wallMs: number;
  /** Sum of load durations in this pass. */
  readonly loadMs: number;
  /** Sum of run durations in this pass. */
  readonly runMs: number;
  /** Milliseconds of load time that overlapped compute (0 for the sequential schedule). */
  readonly overlapMs: number;
  /** Peak of accounted session bytes during this pass. */
  readonly peakResidentBytes: number;
}

export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'the pass was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isAbortError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'AbortError';
}

interface LoadedUnit {
  readonly unitId: string;
  readonly sizeBytes: number;
  readonly executor: WorkerExecutor;
  readonly prefetched: boolean;
  /** Resolves when the session exists; rejects if the load failed (the entry is then already removed). */
  readonly ready: Promise<LoadReply>;
  settled: boolean;
  loadSpan: TimeSpanMs | null;
  /** Whether the load span has been reported in a timeline (a resident unit reports its load only once). */
  loadReported: boolean;
  /** The free-dimension overrides the session was created with ('' for none). */
  readonly shapeKey: string;
}

function shapeKeyOf(unit: StreamUnit): string {
  return unit.freeDimensionOverrides ? JSON.stringify(Object.entries(unit.freeDimensionOverrides).sort(([a], [b]) => a.localeCompare(b))) : '';
}


function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortError('the pass was aborted', { cause: signal.reason });
  }
}

function intersectionMs(a: TimeSpanMs, b: TimeSpanMs): number {
  return Math.max(0, Math.min(a.endMs, b.endMs) - Math.max(a.startMs, b.startMs));
}

/** Load time that overlapped compute: each load span intersected with every run span of the pass. */
export function overlapOfTimeline(timeline: readonly UnitTiming[]): number {
  let overlap = 0;
  for (const loading of timeline) {
    if (loading.loadStartMs === null || loading.loadEndMs === null) {
      continue;
    }
    const load = { startMs: loading.loadStartMs, endMs: loading.loadEndMs };
    for (const running of timeline) {
      overlap += intersectionMs(load, { startMs: running.runStartMs, endMs: running.runEndMs });
    }
  }
  return overlap;
}

/** Units past the plan's resident prefix are loaded for one run and released after it. */
function residencyOf(index: number, plan: MemoryPlan): UnitResidency {
  return index >= plan.residentCount ? 'streamed' : 'resident';
}

export class UnitStreamer {
  private readonly executors: readonly [WorkerExecutor, WorkerExecutor];
  private readonly budget: MemoryBudget;
  private readonly reserveBytes: number;
  private readonly sessionOptions: SessionOptions;
  private readonly schedule: StreamSchedule;
  private readonly onEvent: (event: StreamerEvent) => void;
  private readonly loaded = new Map<string, LoadedUnit>();
  private readonly plans = new Map<string, MemoryPlan>();
  private accountedBytes = 0;
  private peakBytes = 0;
  /** Peak of the pass in progress (the overall peak keeps its own maximum). */
  private passPeakBytes = 0;
  private passInProgress = false;
  private isDisposed = false;

  constructor(options: UnitStreamerOptions) {
    this.budget = options.budget;
    this.reserveBytes = options.reserveBytes ?? 0;
    this.sessionOptions = options.sessionOptions ?? streamingSessionOptions();
    this.schedule = options.schedule ?? 'concurrent';
    this.onEvent = options.onEvent ?? (() => undefined);
    const first = new WorkerExecutor({ index: 0, workerPath: options.workerPath });
    let second: WorkerExecutor;
    try {
      second = new WorkerExecutor({ index: 1, workerPath: options.workerPath });
    } catch (error) {
      void first.dispose();
      throw error;
    }
    this.executors = [first, second];
  }

  /** Sum of sizeBytes of loaded and loading sessions. */
  get residentBytes(): number {
    return this.accountedBytes;
  }

  /** Highest residentBytes since construction or the last resetPeak(). */
  get peakResidentBytes(): number {
    return this.peakBytes;
  }

  resetPeak(): void {
    this.peakBytes = this.accountedBytes;
  }

  /** Ids of units with a session (loaded or loading), as this streamer accounts them. */
  loadedUnitIds(): string[] {
    return [...this.loaded.keys()];
  }

  /** What each executor's worker really holds (diagnostics and tests). */
  async workerSessions(): Promise<readonly (readonly string[])[]> {
    return Promise.all(this.executors.map((executor) => executor.listLoaded()));
  }

  /**
   * Creates, runs once and releases a tiny model on each executor, so that onnxruntime's one-time allocations of a
   * process and of each executor thread (≈ 30 MB on Linux x64) happen now: they are the runtime's own memory, part
   * of the baseline a budget sits on, not of the first unit that loads.
   */
  async warmUp(model: { modelPath: string; feeds: () => TensorMap }): Promise<void> {
    this.assertUsable();
    const unitId = '(runtime warm-up)';
    await Promise.all(this.executors.map(async (executor) => {
      await executor.load(unitId, model.modelPath, this.sessionOptions);
      try {
        await executor.run(unitId, model.feeds());
      } finally {
        await executor.release(unitId);
      }
    }));
  }

  /** The memory plan for this unit set under the streamer's budget, decided once per set (throws MemoryBudgetError). */
  plan(units: readonly StreamUnit[]): MemoryPlan {
    const key = units.map((unit) => `${unit.id}:${unit.sizeBytes}`).join('\n');
    let plan = this.plans.get(key);
    if (!plan) {
      plan = planMemory(units, this.budget, { reserveBytes: this.reserveBytes });
      this.plans.set(key, plan);
    }
    return plan;
  }

  /**
   * Runs `units` in order: feedsFor(i, outputs of unit i−1) gives unit i's feeds; resolves with the last unit's
   * outputs and the pass timeline.
   */
  async runPass(units: readonly StreamUnit[], feedsFor: FeedsFor, options: RunPassOptions = {}): Promise<PassResult> {
    this.assertUsable();
    this.assertIdle('runPass');
    if (units.length === 0) {
      throw new RangeError('runPass needs at least one unit');
    }
    if (new Set(units.map((unit) => unit.id)).size !== units.length) {
      throw new RangeError('unit ids in a pass must be unique');
    }
    const plan = this.plan(units);
    const sessionLimitBytes = plan.budgetBytes - plan.reserveBytes;
    const { signal } = options;
    throwIfAborted(signal);

    this.passInProgress = true;
    const passStartMs = epochNowMs();
    this.passPeakBytes = this.accountedBytes;
    const timeline: UnitTiming[] = [];
    // Concurrent schedule: the previous streamed unit's release, still in flight on its executor while this unit
    // runs on the other one (off the critical path: ≈ 20 ms per 170 MB unit, docs/runtime-notes.md §Blocking calls).
    let releasing: Promise<void> | null = null;
    let running: Promise<RunReply> | null = null;
    const settleRelease = async (): Promise<void> => {
      const released = releasing;
      releasing = null;
      await released;
    };
    try {
      await this.releaseReshaped(units);
      await this.makeRoomFor(units, plan, sessionLimitBytes);
      let previous: TensorMap | null = null;
      for (let index = 0; index < units.length; index++) {
        throwIfAborted(signal);
        const unit = units[index];
        const entry = this.loaded.get(unit.id) ?? this.startLoad(unit, index, { prefetched: false, sessionLimitBytes, residency: residencyOf(index, plan) });
        await entry.ready;
        const feeds = await feedsFor(index, previous);
        throwIfAborted(signal);
        running = entry.executor.run(unit.id, feeds, { outputNames: unit.outputNames, keepFeeds: options.keepFeeds });
        // Handled below (await running); this keeps a failed run from counting as unhandled while the release settles.
        running.catch(() => undefined);
        // The prefetch below counts on the released bytes, so it waits for the worker to confirm the release.
        await settleRelease();
        if (this.schedule === 'concurrent') {
          this.prefetchAfter(units, index, plan, sessionLimitBytes);
        }

        const reply = await running;
        running = null;
        const reportLoad = !entry.loadReported && entry.loadSpan !== null;
        entry.loadReported = true;
        timeline.push({
          unitId: unit.id,
          unitIndex: index,
          executor: entry.executor.index,
          loadStartMs: reportLoad && entry.loadSpan ? entry.loadSpan.startMs : null,
          loadEndMs: reportLoad && entry.loadSpan ? entry.loadSpan.endMs : null,
          prefetched: reportLoad && entry.prefetched,
          runStartMs: reply.startMs,
          runEndMs: reply.endMs,
        });
        this.onEvent({ kind: 'unit-ran', unitId: unit.id, executor: entry.executor.index, durationMs: reply.endMs - reply.startMs });
        if (residencyOf(index, plan) === 'streamed') {
          releasing = this.releaseEntry(entry);
          if (this.schedule === 'sequential') {
            await settleRelease();
          }
        }
        previous = reply.outputs;
      }
      await settleRelease();
      if (!previous) {
        throw new OrtRuntimeError('E_UNKNOWN', 'pass produced no outputs');
      }
      const passEndMs = epochNowMs();
      return {
        outputs: previous,
        timeline,
        plan,
        startMs: passStartMs,
        endMs: passEndMs,
        wallMs: passEndMs - passStartMs,
        loadMs: timeline.reduce((sum, row) => sum + (row.loadStartMs !== null && row.loadEndMs !== null ? row.loadEndMs - row.loadStartMs : 0), 0),
        runMs: timeline.reduce((sum, row) => sum + (row.runEndMs - row.runStartMs), 0),
        overlapMs: overlapOfTimeline(timeline),
        peakResidentBytes: this.passPeakBytes,
      };
    } catch (error) {
      await Promise.all([running, releasing].map((work) => (work as Promise<unknown> | null)?.catch(() => undefined)));
      await this.cleanUpAfterFailedPass(units, plan);
      throw error;
    } finally {
      this.passInProgress = false;
    }
  }

  /** Releases the given units if loaded (e.g. the TDTM set at the switch step). */
  async releaseUnits(unitIds: readonly string[]): Promise<void> {
    this.assertUsable();
    this.assertIdle('releaseUnits');
    for (const unitId of unitIds) {
      const entry = this.loaded.get(unitId);
      if (entry) {
        await this.releaseEntry(entry);
      }
    }
  }

  /** Releases every session on both executors (before the decoder, after a cancel). */
  async releaseAll(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    this.assertIdle('releaseAll');
    await this.settleInFlightLoads();
    await Promise.all(this.executors.map((executor) => executor.releaseAll()));
    for (const entry of [...this.loaded.values()]) {
      this.loaded.delete(entry.unitId);
      this.accountedBytes -= entry.sizeBytes;
      this.onEvent({ kind: 'unit-released', unitId: entry.unitId, executor: entry.executor.index, residentBytes: this.accountedBytes });
    }
  }

  /** Releases everything and ends both workers. Idempotent. */
  async dispose(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    if (!this.passInProgress) {
      await this.releaseAll().catch(() => undefined);
    }
    this.isDisposed = true;
    this.loaded.clear();
    this.accountedBytes = 0;
    await Promise.all(this.executors.map((executor) => executor.dispose().catch(() => undefined)));
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private assertUsable(): void {
    if (this.isDisposed) {
      throw new OrtRuntimeError('E_DISPOSED', 'the unit streamer is disposed');
    }
  }

  private assertIdle(operation: string): void {
    if (this.passInProgress) {
      throw new OrtRuntimeError('E_BUSY', `${operation} while a pass is running; abort the pass and await it first`);
    }
  }

  /** Sessions of these units created with other free-dimension overrides (another clip, prompt length or chunk). */
  private async releaseReshaped(units: readonly StreamUnit[]): Promise<void> {
    for (const unit of units) {
      const entry = this.loaded.get(unit.id);
      if (entry && entry.shapeKey !== shapeKeyOf(unit)) {
        await this.releaseEntry(entry);
      }
    }
  }

  /**
   * Loaded units that do not belong to this pass (another unit set, e.g. TDTM blocks the caller did not release) are
   * released when keeping them would break this pass's budget; so are this set's units the plan streams.
   */
  private async makeRoomFor(units: readonly StreamUnit[], plan: MemoryPlan, sessionLimitBytes: number): Promise<void> {
    const indexById = new Map(units.map((unit, index) => [unit.id, index]));
    const strayStreamed = [...this.loaded.values()].filter((entry) => {
      const index = indexById.get(entry.unitId);
      return index !== undefined && residencyOf(index, plan) === 'streamed';
    });
    for (const entry of strayStreamed) {
      await this.releaseEntry(entry);
    }
    // Units of other passes (kept warm between passes and jobs) give way newest first, only as far as this pass
    // needs: the oldest are the front of the denoiser's resident prefix, the most expensive to load again.
    const foreign = [...this.loaded.values()].filter((entry) => !indexById.has(entry.unitId));
    let foreignBytes = foreign.reduce((sum, entry) => sum + entry.sizeBytes, 0);
    for (const entry of foreign.reverse()) {
      if (foreignBytes + plan.peakSessionBytes <= sessionLimitBytes) {
        break;
      }
      await this.releaseEntry(entry);
      foreignBytes -= entry.sizeBytes;
    }
  }

  /**
   * Loads the resident prefix that `units`' plan keeps, where it is not loaded and fits beside what is (between
   * jobs, so that the next pass over `units` starts without loading). These loads are never reported in a pass
   * timeline: no pass waited for them.
   */
  async preloadResidentPrefix(units: readonly StreamUnit[]): Promise<void> {
    this.assertUsable();
    this.assertIdle('preloadResidentPrefix');
    const plan = this.plan(units);
    const sessionLimitBytes = plan.budgetBytes - plan.reserveBytes;
    this.passInProgress = true;
    try {
      await this.releaseReshaped(units);
      const started: LoadedUnit[] = [];
      for (let index = 0; index < plan.residentCount; index++) {
        const unit = units[index];
        if (this.loaded.has(unit.id) || this.accountedBytes + unit.sizeBytes > sessionLimitBytes) {
          continue;
        }
        const entry = this.startLoad(unit, index, { prefetched: false, sessionLimitBytes, residency: 'resident' });
        entry.loadReported = true;
        started.push(entry);
      }
      await Promise.all(started.map((entry) => entry.ready));
    } finally {
      this.passInProgress = false;
    }
  }

  private startLoad(unit: StreamUnit, index: number, options: { prefetched: boolean; sessionLimitBytes: number; residency: UnitResidency }): LoadedUnit {
    if (this.accountedBytes + unit.sizeBytes > options.sessionLimitBytes) {
      throw new OrtRuntimeError(
        'E_BUDGET_EXCEEDED',
        `loading ${unit.id} (${unit.sizeBytes} bytes) would hold ${this.accountedBytes + unit.sizeBytes} bytes, ` +
          `over the ${options.sessionLimitBytes}-byte session budget`,
      );
    }
    const executor = this.executors[index % 2];
    this.accountedBytes += unit.sizeBytes;
    this.peakBytes = Math.max(this.peakBytes, this.accountedBytes);
    this.passPeakBytes = Math.max(this.passPeakBytes, this.accountedBytes);
    const baseOptions = unitSessionOptions(this.sessionOptions, options.residency);
    const sessionOptions = unit.freeDimensionOverrides ? { ...baseOptions, freeDimensionOverrides: unit.freeDimensionOverrides } : baseOptions;
    // A resident session prepacks, which reads every weight while it loads; a streamed one only maps the file.
    const readThroughPath = options.residency === 'resident' ? undefined : unit.weightsPath;
    const ready = executor.load(unit.id, unit.modelPath, sessionOptions, readThroughPath).then(
      (reply) => {
        entry.settled = true;
        entry.loadSpan = { startMs: reply.startMs, endMs: reply.endMs };
        const durationMs = reply.endMs - reply.startMs;
        this.onEvent({ kind: 'unit-loaded', unitId: unit.id, executor: executor.index, prefetched: options.prefetched, durationMs, readBytes: reply.readBytes, residentBytes: this.accountedBytes });
        return reply;
      },
      (error: unknown) => {
        entry.settled = true;
        if (this.loaded.get(unit.id) === entry) {
          this.loaded.delete(unit.id);
          this.accountedBytes -= unit.sizeBytes;
        }
        throw error;
      },
    );
    // A prefetch may fail before anyone awaits it; the failure surfaces when its unit is reached.
    ready.catch(() => undefined);
    const entry: LoadedUnit = {
      unitId: unit.id,
      sizeBytes: unit.sizeBytes,
      executor,
      prefetched: options.prefetched,
      ready,
      settled: false,
      loadSpan: null,
      loadReported: false,
      shapeKey: shapeKeyOf(unit),
    };
    this.loaded.set(unit.id, entry);
    return entry;
  }

  /**
   * Prefetch while unit `index` runs: the next unit without a session, if (1) no later streamed unit is already
   * loaded or loading (at most one streamed unit ahead, which is what the plan's pair bound assumes), (2) it lives on
   * the other executor (on the same one it would just queue behind the run; it is picked up one unit later), and
   * (3) it fits the budget (always true under a correct plan; a safety net, not a policy).
   */
  private prefetchAfter(units: readonly StreamUnit[], index: number, plan: MemoryPlan, sessionLimitBytes: number): void {
    for (let later = index + 1; later < units.length; later++) {
      if (residencyOf(later, plan) === 'streamed' && this.loaded.has(units[later].id)) {
        return;
      }
    }
    let target = index + 1;
    while (target < units.length && this.loaded.has(units[target].id)) {
      target++;
    }
    if (target >= units.length) {
      return;
    }
    if (target % 2 === index % 2) {
      return;
    }
    const unit = units[target];
    if (this.accountedBytes + unit.sizeBytes > sessionLimitBytes) {
      return;
    }
    this.startLoad(unit, target, { prefetched: true, sessionLimitBytes, residency: residencyOf(target, plan) });
  }

  private async releaseEntry(entry: LoadedUnit): Promise<void> {
    if (this.loaded.get(entry.unitId) !== entry) {
      return;
    }
    this.loaded.delete(entry.unitId);
    try {
      await entry.ready;
    } catch {
      return; // the load failed: nothing was created and its bytes were already given back
    }
    try {
      await entry.executor.release(entry.unitId);
    } finally {
      // The unit's feeds and outputs that this thread dropped while it ran are dead now (the worker collects its own).
      collectGarbage('young');
      // Bytes count until the worker confirms the release, so the accounting never under-reports.
      this.accountedBytes -= entry.sizeBytes;
      this.onEvent({ kind: 'unit-released', unitId: entry.unitId, executor: entry.executor.index, residentBytes: this.accountedBytes });
    }
  }

  private async settleInFlightLoads(): Promise<void> {
    await Promise.all([...this.loaded.values()].filter((entry) => !entry.settled).map((entry) => entry.ready.catch(() => undefined)));
  }

  /** After an abort or error: wait for in-flight loads, release this pass's streamed units, keep its resident prefix. */
  private async cleanUpAfterFailedPass(units: readonly StreamUnit[], plan: MemoryPlan): Promise<void> {
    await this.settleInFlightLoads();
    const resident = new Set(plan.residentUnitIds);
    const inPass = new Set(units.map((unit) => unit.id));
    const toRelease = [...this.loaded.values()].filter((entry) => inPass.has(entry.unitId) && !resident.has(entry.unitId));
    await Promise.all(toRelease.map((entry) => this.releaseEntry(entry).catch(() => undefined)));
  }
}
