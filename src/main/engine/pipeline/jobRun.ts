import type { GenerationEvent, GenerationSummary } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import { epochNowMs } from '../runtime/clock';
import type { PassResult, UnitStreamer } from '../streaming/unitStreamer';
import type { EngineSession } from './engineSession';
import type { JobPlan } from './jobPlan';
import type { RssMonitor } from './rssMonitor';

export type StageName = 'text' | 'encode' | 'denoise' | 'decode' | 'write';

/**
 * One running job's shared state, handed from stage to stage: its plan, the streamer it runs units on, its clock
 * and events, the timings the summary reports, and the engine's RSS sampled on a thread of its own.
 */
export interface JobRunParts {
  readonly plan: JobPlan;
  readonly session: EngineSession;
  readonly streamer: UnitStreamer;
  readonly events: JobEvents;
  readonly signal: AbortSignal | undefined;
}

/** A job's clock, events and warnings: they exist from the job's first moment, before its plan. */
export class JobEvents {
  readonly startMs = epochNowMs();
  readonly warnings: string[] = [];

  constructor(private readonly onEvent: ((event: GenerationEvent) => void) | undefined) {}

  emit(event: GenerationEvent): void {
    this.onEvent?.(event);
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.emit({ kind: 'warning', message });
  }
}

export class JobRun {
  /** The session's sampler (started before the baseline), its peak reset when this job starts. */
  readonly rss: RssMonitor;
  /** Stage times are compute; `load` is the load time no compute hid (CI-DL hides the rest). */
  readonly timings = { load: 0, text: 0, encode: 0, denoise: 0, decode: 0, write: 0, total: 0 };
  readonly plan: JobPlan;
  readonly session: EngineSession;
  readonly streamer: UnitStreamer;
  readonly signal: AbortSignal | undefined;
  readonly startMs: number;
  private readonly events: JobEvents;
  private peakResidentBytes = 0;

  constructor(parts: JobRunParts) {
    ({ plan: this.plan, session: this.session, streamer: this.streamer, events: this.events, signal: this.signal } = parts);
    this.startMs = parts.events.startMs;
    this.rss = this.session.rssMonitor(this.streamer);
    this.rss.resetPeak();
  }

  emit(event: GenerationEvent): void {
    this.events.emit(event);
  }

  warn(message: string): void {
    this.events.warn(message);
  }

  elapsedMs(): number {
    return epochNowMs() - this.startMs;
  }

  /** Announces a stage; returns its start time. */
  beginStage(stage: StageName): number {
    this.emit({ kind: 'stage', stage, elapsedMs: this.elapsedMs() });
    return epochNowMs();
  }

  /** Books a stage's time as compute, less the load time of `passes` that no compute hid (booked as load). */
  endStage(stage: StageName, startMs: number, passes: readonly PassResult[] = []): void {
    const exposedLoadMs = passes.reduce((sum, pass) => sum + Math.max(0, pass.loadMs - pass.overlapMs), 0);
    this.timings.load += exposedLoadMs;
    this.timings[stage] = epochNowMs() - startMs - exposedLoadMs;
  }

  /** Model bytes loaded now; keeps the job's peak. */
  residentBytes(): number {
    this.peakResidentBytes = Math.max(this.peakResidentBytes, this.streamer.peakResidentBytes);
    return this.streamer.residentBytes;
  }

  throwIfAborted(): void {
    if (this.signal?.aborted) {
      throw new StudioError('CANCELLED', 'The generation was cancelled.');
    }
  }

  /** The summary's memory and timing fields, measured at the end of the job. */
  measured(): Pick<GenerationSummary, 'timingsMs' | 'peakRssBytes' | 'peakResidentBytes' | 'memoryBudgetBytes' | 'activationBytes' | 'baselineRssBytes' | 'warnings'> {
    this.timings.total = this.elapsedMs();
    return {
      timingsMs: this.timings,
      peakRssBytes: Math.max(this.rss.peak, this.rss.sample()),
      peakResidentBytes: Math.max(this.peakResidentBytes, this.streamer.peakResidentBytes),
      memoryBudgetBytes: this.plan.budget.budgetBytes,
      activationBytes: this.plan.budget.activationBytes,
      baselineRssBytes: this.session.baselineRssBytes(this.streamer),
      warnings: this.events.warnings,
    };
  }
}
