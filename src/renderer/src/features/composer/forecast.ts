import type { ModelSummary } from '@shared/domain/studio';
import type { MemoryPlan } from '@shared/model/memoryPlan';
import { activationReserveBytes } from '@shared/model/clipMemory';
import { resolvePipelineBudget } from '@shared/model/pipelineBudget';
import type { PassesUsed, PassName } from '@shared/model/unitPasses';
import type { MemoryBudget } from '@shared/domain/memoryBudget';

export type { PassName };

export const PASS_LABELS: Record<PassName, string> = {
  text: 'Text encoder',
  encoder: 'VAE encoder (reference frames)',
  denoiser: 'Denoiser',
  denoiserMerged: 'Denoiser (TDTM merged)',
  decoder: 'Decoder',
};

export interface PassForecast {
  pass: PassName;
  unitCount: number;
  totalBytes: number;
  /** Units kept loaded across this pass's runs (the resident prefix K). */
  residentCount: number;
  residentBytes: number;
  /** The most this pass has loaded at once. */
  peakBytes: number;
  minWorkingSetBytes: number;
  /** Estimated activations inside this pass's largest unit at the chosen clip size; null when unknown. */
  activationBytes: number | null;
}

export type MemoryForecast =
  | {
      kind: 'ok';
      /** What the budget resolves to ('all' = the largest pass, 'min' = the minimum working set). */
      budgetBytes: number;
      /** Denoiser weights kept resident across steps (loaded once, reused every step). */
      residentBytes: number;
      residentUnitIds: readonly string[];
      streamedUnitIds: readonly string[];
      /** The most model weight loaded at once over the whole run (the largest pass peak). */
      peakBytes: number;
      /** The least budget that runs every pass: the largest pass minimum. */
      minimumBytes: number;
      /** The clip the activation estimate is for, and the largest pass's estimate; null when unknown. */
      clip: { frames: number; width: number; height: number } | null;
      activationPeakBytes: number | null;
      passes: PassForecast[];
    }
  | { kind: 'below-minimum'; budgetBytes: number; minimumBytes: number; passes: PassForecast[] };

/**
 * The memory a run will use under a budget, before it runs: the model's unit sizes through the same plan rule the
 * engine applies (planMemory per pass; every pass streams on its own and releases everything after it), so the
 * forecast and the engine's "started" event agree. Weights plus the clip's activation estimate: the runtime's own
 * baseline memory comes on top. A run from an image or extending a clip (`used.conditioned`) adds the VAE encoder's pass.
 */
export function forecastMemory(
  model: Pick<ModelSummary, 'passes'> & Partial<Pick<ModelSummary, 'clipMemory'>>,
  budget: MemoryBudget,
  used: PassesUsed,
  clipPreset = '',
): MemoryForecast {
  // '' (or a preset this model lacks) = the model's default clip, the table's first entry.
  const clip = model.clipMemory?.find((entry) => entry.key === clipPreset) ?? model.clipMemory?.[0] ?? null;
  const reserveBytes = clip ? activationReserveBytes(clip.activationBytes, used) : 0;
  const resolved = resolvePipelineBudget(model.passes, budget, used, { reserveBytes });
  const passes = resolved.plans.map((entry) => describePass(entry.pass, entry.plan, clip?.activationBytes[entry.pass] ?? null));
  if (resolved.kind === 'below-minimum') {
    return { kind: 'below-minimum', budgetBytes: resolved.budgetBytes, minimumBytes: resolved.minimumBytes, passes };
  }
  const denoise = resolved.plans.find((entry) => entry.pass === 'denoiser')?.plan;
  return {
    kind: 'ok',
    budgetBytes: resolved.budgetBytes,
    residentBytes: denoise?.residentPrefixBytes ?? 0,
    residentUnitIds: denoise?.residentUnitIds ?? [],
    streamedUnitIds: denoise?.streamedUnitIds ?? [],
    peakBytes: Math.max(0, ...resolved.plans.map((entry) => entry.plan.peakResidentBytes)),
    minimumBytes: resolved.minimumBytes,
    clip: clip ? { frames: clip.frames, width: clip.width, height: clip.height } : null,
    activationPeakBytes: clip ? Math.max(0, ...passes.map((pass) => pass.activationBytes ?? 0)) : null,
    passes,
  };
}

function describePass(pass: PassName, plan: MemoryPlan, activationBytes: number | null): PassForecast {
  return {
    pass,
    unitCount: plan.residentUnitIds.length + plan.streamedUnitIds.length,
    totalBytes: plan.totalBytes,
    residentCount: plan.residentCount,
    residentBytes: plan.residentPrefixBytes,
    peakBytes: plan.peakResidentBytes,
    minWorkingSetBytes: plan.minWorkingSetBytes,
    activationBytes,
  };
}

