import path from 'node:path';
import type { ModelUnit } from '@shared/model/manifest';
import { loadedUnitBytes } from '@shared/model/memoryPlan';
import { manifestPasses } from '@shared/model/manifestUnits';
import type { PipelinePasses } from '@shared/model/pipelineBudget';
import type { ModelPackage } from '../package/modelPackage';
import type { StreamUnit } from '../streaming/unitStreamer';

/** A manifest unit as the streamer loads it (absolute ONNX path, budgeted size: weights plus a session's overhead). */
export function streamUnitOf(pkg: ModelPackage, unit: ModelUnit): StreamUnit {
  return { id: unit.id, modelPath: path.join(pkg.dir, unit.file), sizeBytes: loadedUnitBytes(unit.sizeBytes) };
}

/** Every pass of the package's pipeline as stream units (the one unit walk: shared/model/manifestUnits). */
export function streamPasses(pkg: ModelPackage): PipelinePasses<StreamUnit> {
  const passes = manifestPasses(pkg.manifest);
  const toStream = (unit: ModelUnit): StreamUnit => streamUnitOf(pkg, unit);
  return {
    text: passes.text.map(toStream),
    denoiser: passes.denoiser.map(toStream),
    denoiserMerged: passes.denoiserMerged.map(toStream),
    decoder: passes.decoder.map(toStream),
  };
}
