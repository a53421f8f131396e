import type { ModelSummary } from '../../../../shared/domain/studio';
import { planMemory, type MemoryPlan } from '../../../../shared/model/memoryPlan';
import type { MemoryBudget } from '../../../../shared/util/bytes';

export type PassName = keyof ModelSummary['passes'];

export const PASS_LABELS: Record<PassName, string> = {
  text: 'Text encoder',
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
      passes: PassForecast[];
    }
  | { kind: 'below-minimum'; budgetBytes: number; minimumBytes: number; passes: PassForecast[] };

/**
 * The memory a run will use under a budget, before it runs: the model's unit sizes through the same plan rule the
 * engine applies (planMemory per pass; every pass streams on its own and releases everything after it), so the
 * forecast and the engine's "started" event agree. Weights only: the runtime's own memory comes on top.
 */
export function forecastMemory(model: Pick<ModelSummary, 'passes'>, budget: MemoryBudget, usesMergedSteps: boolean): MemoryForecast {
  const passNames: PassName[] = ['text', 'denoiser', ...(usesMergedSteps ? (['denoiserMerged'] as const) : []), 'decoder'];
  const activePasses = passNames.filter((name) => model.passes[name].length > 0);
  const minimumBytes = Math.max(0, ...activePasses.map((name) => planMemory(model.passes[name], { kind: 'min' }).minWorkingSetBytes));
  const largestPassBytes = Math.max(0, ...activePasses.map((name) => sumBytes(model.passes[name])));

  let effective: MemoryBudget;
  let budgetBytes: number;
  switch (budget.kind) {
    case 'all':
      effective = budget;
      budgetBytes = largestPassBytes;
      break;
    case 'min':
      effective = { kind: 'bytes', bytes: minimumBytes };
      budgetBytes = minimumBytes;
      break;
    case 'bytes':
      effective = budget;
      budgetBytes = budget.bytes;
      if (budget.bytes < minimumBytes) {
        const passes = activePasses.map((name) => describePass(name, planMemory(model.passes[name], { kind: 'min' })));
        return { kind: 'below-minimum', budgetBytes, minimumBytes, passes };
      }
      break;
  }

  const plans = activePasses.map((name) => ({ name, plan: planMemory(model.passes[name], effective) }));
  const denoise = plans.find((entry) => entry.name === 'denoiser')?.plan;
  return {
    kind: 'ok',
    budgetBytes,
    residentBytes: denoise?.residentPrefixBytes ?? 0,
    residentUnitIds: denoise?.residentUnitIds ?? [],
    streamedUnitIds: denoise?.streamedUnitIds ?? [],
    peakBytes: Math.max(0, ...plans.map((entry) => entry.plan.peakResidentBytes)),
    minimumBytes,
    passes: plans.map((entry) => describePass(entry.name, entry.plan)),
  };
}

function describePass(pass: PassName, plan: MemoryPlan): PassForecast {
  return {
    pass,
    unitCount: plan.residentUnitIds.length + plan.streamedUnitIds.length,
    totalBytes: plan.totalBytes,
    residentCount: plan.residentCount,
    residentBytes: plan.residentPrefixBytes,
    peakBytes: plan.peakResidentBytes,
    minWorkingSetBytes: plan.minWorkingSetBytes,
  };
}

function sumBytes(units: ReadonlyArray<{ sizeBytes: number }>): number {
  return units.reduce((sum, unit) => sum + unit.sizeBytes, 0);
}
