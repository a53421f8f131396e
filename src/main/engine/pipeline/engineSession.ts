import type { MemoryBudget } from '@shared/model/memoryPlan';
import type { TextConditioning } from '../models';
import { locateRuntimeCheckModel } from '../paths';
import { collectGarbage } from '../runtime/garbage';
import { tensorData, type TensorMap } from '../runtime/types';
import { RUNTIME_CHECK_INPUT, RUNTIME_CHECK_INPUT_DIMS } from '../system/runtimeCheck';
import { UnitStreamer, type StreamSchedule, type UnitStreamerOptions } from '../streaming/unitStreamer';
import { RssMonitor, settledRssBytes } from './rssMonitor';

export interface StreamerKey {
  /** The package folder and the manifest's identity (id, version, file time): another package is another model. */
  readonly modelKey: string;
  readonly budget: MemoryBudget;
  /** Activation bytes the budget covers besides the sessions (the streamer's plan reserve). */
  readonly reserveBytes: number;
  readonly schedule: StreamSchedule;
  readonly workerPath?: string;
}

function runtimeWarmUpModel(): { modelPath: string; feeds: () => TensorMap } {
  return {
    modelPath: locateRuntimeCheckModel(),
    feeds: () => ({ x: tensorData('float32', RUNTIME_CHECK_INPUT_DIMS, RUNTIME_CHECK_INPUT.slice()) }),
  };
}

export interface MeasuredStreamer {
  readonly streamer: UnitStreamer;
  /** Samples the process's peak RSS; started before the baseline was read. */
  readonly rss: RssMonitor;
  /** The runtime's own memory: what a budget sits on and does not cover. */
  readonly baselineRssBytes: number;
}

/**
 * A streamer with its RSS sampler, and the baseline its budget sits on: the process's RSS with the sampler's thread,
 * both executor threads and onnxruntime up (a tiny model created, run and released on each executor) and no model
 * session, read after the dead memory of the warm-up and of whatever ran before has been collected and given back.
 */
export async function startMeasuredStreamer(options: UnitStreamerOptions): Promise<MeasuredStreamer> {
  const streamer = new UnitStreamer(options);
  const rss = new RssMonitor();
  try {
    await rss.started();
    await streamer.warmUp(runtimeWarmUpModel());
  } catch (error) {
    rss.stop();
    await streamer.dispose();
    throw error;
  }
  // The executors collect theirs on release; this thread's goes now, not at some later collection that would pull
  // the job's peak below its baseline.
  collectGarbage('full');
  return { streamer, rss, baselineRssBytes: await settledRssBytes() };
}

/** Text embeddings kept per session; a studio user iterates on a handful of prompts at a time. */
const TEXT_CACHE_ENTRIES = 8;

/**
 * What the engine keeps between jobs (docs/techniques.md §CI-DL, the warm engine): one UnitStreamer with the sessions the memory budget
 * lets stay, for as long as the model, budget and schedule stay the same, and the text embeddings of recent
 * prompts, so a job that changes only the seed or sampler settings skips the text encoder. A job with another
 * model, budget or schedule releases everything first. `persistent: false` is a one-job session (CLI, tests).
 */
export class EngineSession {
  readonly persistent: boolean;
  private current: (MeasuredStreamer & { readonly key: string; readonly modelKey: string }) | null = null;
  private readonly textCache = new Map<string, TextConditioning>();

  constructor(options: { persistent: boolean }) {
    this.persistent = options.persistent;
  }

  /** The streamer for this key: the warm one when the key is unchanged, else a fresh one (the old one disposed). */
  async streamerFor(key: StreamerKey): Promise<UnitStreamer> {
    const keyText = JSON.stringify([key.modelKey, key.budget, key.reserveBytes, key.schedule, key.workerPath ?? null]);
    if (this.current?.key === keyText) {
      return this.current.streamer;
    }
    if (this.current?.modelKey !== key.modelKey) {
      this.textCache.clear();
    }
    await this.endCurrent();
    const started = await startMeasuredStreamer({ budget: key.budget, reserveBytes: key.reserveBytes, workerPath: key.workerPath, schedule: key.schedule });
    this.current = { key: keyText, modelKey: key.modelKey, ...started };
    return started.streamer;
  }

  cachedText(modelKey: string, promptKey: string): TextConditioning | undefined {
    const key = `${modelKey}\n${promptKey}`;
    const found = this.textCache.get(key);
    if (found) {
      // Most recently used last: the first entry is the one to drop.
      this.textCache.delete(key);
      this.textCache.set(key, found);
    }
    return found;
  }

  rememberText(modelKey: string, promptKey: string, conditioning: TextConditioning): void {
    if (!this.persistent) {
      return;
    }
    this.textCache.set(`${modelKey}\n${promptKey}`, conditioning);
    while (this.textCache.size > TEXT_CACHE_ENTRIES) {
      this.textCache.delete(this.textCache.keys().next().value as string);
    }
  }

  /** RSS of the engine process when `streamer` started, before any session: the baseline a budget sits on. */
  baselineRssBytes(streamer: UnitStreamer): number {
    return this.current?.streamer === streamer ? this.current.baselineRssBytes : process.memoryUsage.rss();
  }

  /** The RSS sampler that runs beside `streamer` (started before its baseline was read). */
  rssMonitor(streamer: UnitStreamer): RssMonitor {
    if (this.current?.streamer !== streamer) {
      throw new Error('rssMonitor: the streamer is not this session\'s current one');
    }
    return this.current.rss;
  }

  /** Model bytes held between jobs (the streamer's loaded sessions); 0 when nothing is warm. */
  warmBytes(): number {
    return this.current?.streamer.residentBytes ?? 0;
  }

  /** Ids of the units loaded now (diagnostics, tests). */
  loadedUnitIds(): string[] {
    return this.current?.streamer.loadedUnitIds() ?? [];
  }

  /** Releases every session and forgets the text embeddings (memory pressure, model removed). */
  async releaseAll(): Promise<void> {
    this.textCache.clear();
    await this.endCurrent();
  }

  private async endCurrent(): Promise<void> {
    const previous = this.current;
    this.current = null;
    previous?.rss.stop();
    await previous?.streamer.dispose();
  }
}
