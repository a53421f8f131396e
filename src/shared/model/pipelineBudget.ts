import { planMemory, type MemoryBudget, type MemoryPlan, type PlannedUnit } from './memoryPlan';
import { passesUsed, type PassesUsed, type PassName, type UnitPasses } from './unitPasses';

export type PipelineBudget =
  | {
      kind: 'ok';
      /** What the streamer gets: 'all', or bytes ('min' resolves to the minimum working set). */
      budget: MemoryBudget;
      budgetBytes: number;
      /** The least budget that runs every pass: the largest pass minimum. */
      minimumBytes: number;
      plans: Array<{ pass: PassName; plan: MemoryPlan }>;
    }
  | { kind: 'below-minimum'; budgetBytes: number; minimumBytes: number; plans: Array<{ pass: PassName; plan: MemoryPlan }> };

/**
 * Resolves a memory budget against every pass a generation uses (engine and UI forecast share this rule). The
 * passes never overlap, so the pipeline's minimum is the largest pass minimum and 'all' is the largest pass.
 * `reserveBytes` (the clip's activations, `activationReserveBytes` in src/shared/model/clipMemory.ts) is part of every figure: a
 * budget covers weights and activations, so it can hold in measured memory.
 */
export function resolvePipelineBudget(
  passes: UnitPasses<PlannedUnit>,
  requested: MemoryBudget,
  used: PassesUsed,
  options: { reserveBytes?: number } = {},
): PipelineBudget {
  const reserveBytes = options.reserveBytes ?? 0;
  const active = passesUsed(used).filter((name) => passes[name].length > 0);
  const minimumPlans = active.map((pass) => ({ pass, plan: planMemory(passes[pass], { kind: 'min' }, { reserveBytes }) }));
  const minimumBytes = Math.max(0, ...minimumPlans.map(({ plan }) => plan.minWorkingSetBytes));
  const largestPassBytes = Math.max(0, ...active.map((pass) => passes[pass].reduce((sum, unit) => sum + unit.sizeBytes, 0)));
  let budget: MemoryBudget;
  let budgetBytes: number;
  switch (requested.kind) {
    case 'all':
      budget = requested;
      budgetBytes = reserveBytes + largestPassBytes;
      break;
    case 'min':
      budget = { kind: 'bytes', bytes: minimumBytes };
      budgetBytes = minimumBytes;
      break;
    case 'bytes':
      if (requested.bytes < minimumBytes) {
        return { kind: 'below-minimum', budgetBytes: requested.bytes, minimumBytes, plans: minimumPlans };
      }
      budget = requested;
      budgetBytes = requested.bytes;
      break;
  }
  return { kind: 'ok', budget, budgetBytes, minimumBytes, plans: active.map((pass) => ({ pass, plan: planMemory(passes[pass], budget, { reserveBytes }) })) };
}
