import path from 'node:path';
import { StudioError } from '../../../shared/ipc/errors';
import type { ModelUnit } from '../../../shared/model/manifest';
import { formatMegabytes } from '../../../shared/util/bytes';
import type { ModelPackage } from '../package/modelPackage';
import { planMemory, type MemoryBudget } from '../streaming/memoryPlan';
import type { StreamUnit } from '../streaming/unitStreamer';

/** The unit lists the pipeline streams: text encoder, denoiser (plain and TDTM variants) and decoder. */
export interface PipelineUnits {
  text: StreamUnit[];
  denoiser: StreamUnit[];
  denoiserMerged: StreamUnit[];
  decoder: StreamUnit[];
}

function toStreamUnit(pkg: ModelPackage, unit: ModelUnit): StreamUnit {
  return { id: unit.id, modelPath: path.join(pkg.dir, unit.file), sizeBytes: unit.sizeBytes };
}

export function pipelineUnits(pkg: ModelPackage): PipelineUnits {
  const { text, denoiser, decoder } = pkg.manifest;
  const unit = (u: ModelUnit): StreamUnit => toStreamUnit(pkg, u);
  return {
    text: [unit(text.embed), ...text.blocks.map(unit), unit(text.final)],
    denoiser: [unit(denoiser.embedder), ...denoiser.blocks.map((pair) => unit(pair.unit)), unit(denoiser.final)],
    denoiserMerged: [unit(denoiser.embedder), ...denoiser.blocks.map((pair) => unit(pair.tdtm)), unit(denoiser.final)],
    decoder: [unit(decoder.unit)],
  };
}

export interface BudgetResolution {
  /** What the streamer gets: 'all', or bytes ('min' resolves to the minimum working set). */
  budget: MemoryBudget;
  budgetBytes: number;
  /** The smallest budget that can run the whole pipeline (largest minimum over its passes). */
  minimumBytes: number;
  /** Denoiser units kept resident across steps under this budget (plain pass). */
  residentUnitIds: string[];
}

/**
 * Resolves a memory budget against every pass before any compute. Each pass streams on its own (everything is
 * released between text, denoise and decode), so the pipeline's minimum is the largest pass minimum.
 */
export function resolveBudget(units: PipelineUnits, requested: MemoryBudget, usesMergedSteps: boolean): BudgetResolution {
  const passes = [units.text, units.denoiser, ...(usesMergedSteps ? [units.denoiserMerged] : []), units.decoder];
  const minimumBytes = Math.max(...passes.map((pass) => planMemory(pass, { kind: 'min' }).minWorkingSetBytes));
  const allBytes = Math.max(...passes.map((pass) => pass.reduce((sum, unit) => sum + unit.sizeBytes, 0)));
  let budget: MemoryBudget;
  let budgetBytes: number;
  switch (requested.kind) {
    case 'all':
      budget = { kind: 'all' };
      budgetBytes = allBytes;
      break;
    case 'min':
      budget = { kind: 'bytes', bytes: minimumBytes };
      budgetBytes = minimumBytes;
      break;
    case 'bytes':
      if (requested.bytes < minimumBytes) {
        throw new StudioError(
          'INVALID_PARAMS',
          `Memory budget ${formatMegabytes(requested.bytes)} is below the smallest working set this model can run with, ` +
            `${formatMegabytes(minimumBytes)} (${minimumBytes} bytes: the two largest consecutive units loaded at once). Use at least that, or "min".`,
        );
      }
      budget = requested;
      budgetBytes = requested.bytes;
      break;
  }
  // planMemory refuses a budget below the minimum with a message that gives it.
  const denoisePlan = planMemory(units.denoiser, budget);
  for (const pass of passes) {
    planMemory(pass, budget);
  }
  return { budget, budgetBytes, minimumBytes, residentUnitIds: [...denoisePlan.residentUnitIds] };
}
