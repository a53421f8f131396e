import { StudioError } from '@shared/ipc/errors';
import { formatMegabytes } from '@shared/util/bytes';
import { resolvePipelineBudget } from '@shared/model/pipelineBudget';
import type { PassesUsed, UnitPasses } from '@shared/model/unitPasses';
import type { MemoryBudget } from '@shared/model/memoryPlan';

export interface BudgetResolution {
  /** What the streamer gets: 'all', or bytes ('min' resolves to the minimum working set). */
  budget: MemoryBudget;
  budgetBytes: number;
  /** The smallest budget that can run the whole pipeline (largest minimum over its passes). */
  minimumBytes: number;
  /** Denoiser units kept resident across steps under this budget (plain pass). */
  residentUnitIds: string[];
  /** The clip's activation estimate, included in every figure above. */
  activationBytes: number;
}

/** Resolves a memory budget against every pass before any compute; a budget below the minimum is refused. */
export function resolveBudget(units: UnitPasses<{ readonly id: string; readonly sizeBytes: number }>, requested: MemoryBudget, used: PassesUsed, activationBytes: number): BudgetResolution {
  const resolved = resolvePipelineBudget(units, requested, used, { reserveBytes: activationBytes });
  if (resolved.kind === 'below-minimum') {
    throw new StudioError(
      'INVALID_PARAMS',
      `Memory budget ${formatMegabytes(resolved.budgetBytes)} is below the smallest working set this model can run with, ` +
        `${formatMegabytes(resolved.minimumBytes)} (${resolved.minimumBytes} bytes: the two largest consecutive units loaded at once ` +
        `plus ${formatMegabytes(activationBytes)} of activations for this clip). Use at least that, or "min".`,
    );
  }
  const denoise = resolved.plans.find((entry) => entry.pass === 'denoiser')?.plan;
  return {
    budget: resolved.budget,
    budgetBytes: resolved.budgetBytes,
    minimumBytes: resolved.minimumBytes,
    residentUnitIds: [...(denoise?.residentUnitIds ?? [])],
    activationBytes,
  };
}
