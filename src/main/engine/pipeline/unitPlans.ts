import path from 'node:path';
import { StudioError } from '../../../shared/ipc/errors';
import type { ModelUnit } from '../../../shared/model/manifest';
import { formatMegabytes } from '../../../shared/util/bytes';
import type { ModelPackage } from '../package/modelPackage';
import { resolvePipelineBudget } from '../../../shared/model/pipelineBudget';
import type { MemoryBudget } from '../streaming/memoryPlan';
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

/** Resolves a memory budget against every pass before any compute; a budget below the minimum is refused. */
export function resolveBudget(units: PipelineUnits, requested: MemoryBudget, usesMergedSteps: boolean): BudgetResolution {
  const resolved = resolvePipelineBudget(units, requested, usesMergedSteps);
  if (resolved.kind === 'below-minimum') {
    throw new StudioError(
      'INVALID_PARAMS',
      `Memory budget ${formatMegabytes(resolved.budgetBytes)} is below the smallest working set this model can run with, ` +
        `${formatMegabytes(resolved.minimumBytes)} (${resolved.minimumBytes} bytes: the two largest consecutive units loaded at once). Use at least that, or "min".`,
    );
  }
  const denoise = resolved.plans.find((entry) => entry.pass === 'denoiser')?.plan;
  return { budget: resolved.budget, budgetBytes: resolved.budgetBytes, minimumBytes: resolved.minimumBytes, residentUnitIds: [...(denoise?.residentUnitIds ?? [])] };
}
