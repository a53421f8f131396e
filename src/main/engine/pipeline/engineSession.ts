import type { MemoryBudget } from '@shared/model/memoryPlan';
import type { TextConditioning } from '../models';
import { locateRuntimeCheckModel } from '../paths';
import { tensorData, type TensorMap } from '../runtime/types';
import { RUNTIME_CHECK_INPUT, RUNTIME_CHECK_INPUT_DIMS } from '../system/runtimeCheck';
import { UnitStreamer, type StreamSchedule } from '../streaming/unitStreamer';

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
  private current: { readonly key: string; readonly modelKey: string; readonly streamer: UnitStreamer; readonly baselineRssBytes: number } | null = null;
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
    const previous = this.current;
    this.current = null;
    await previous?.streamer.dispose();
    const streamer = new UnitStreamer({ budget: key.budget, reserveBytes: key.reserveBytes, workerPath: key.workerPath, schedule: key.schedule });
    // The runtime's own memory with both executor threads up, onnxruntime initialized, and no model session: what a
    // budget does not cover.
    await streamer.warmUp(runtimeWarmUpModel());
    this.current = { key: keyText, modelKey: key.modelKey, streamer, baselineRssBytes: process.memoryUsage.rss() };
    return streamer;
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
    const previous = this.current;
    this.current = null;
    this.textCache.clear();
    await previous?.streamer.dispose();
  }
}
