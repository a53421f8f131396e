import path from 'node:path';
import type { ModelUnit } from '@shared/model/manifest';
import type { ClipSize } from '@shared/model/clipSize';
import { freeDimensionOverrides, stageAxisSizes, stageOfUnit, type AxisSizes, type UnitStage } from '@shared/model/staticAxes';
import { staticShapesWanted } from '../runtime/sessionOptions';
import { loadedUnitBytes } from '@shared/model/memoryPlan';
import { manifestPasses } from '@shared/model/manifestUnits';
import type { PipelinePasses } from '@shared/model/pipelineBudget';
import type { ModelPackage } from '../package/modelPackage';
import type { StreamUnit } from '../streaming/unitStreamer';

/**
 * A manifest unit as the streamer loads it (absolute ONNX path, budgeted size: weights plus a session's overhead);
 * with `sizes`, its session gets static shapes (free-dimension overrides from its stage's axis sizes).
 */
export function streamUnitOf(pkg: ModelPackage, unit: ModelUnit, sizes?: Readonly<Record<UnitStage, AxisSizes>>): StreamUnit {
  const base = { id: unit.id, modelPath: path.join(pkg.dir, unit.file), sizeBytes: loadedUnitBytes(unit.sizeBytes) };
  return sizes ? { ...base, freeDimensionOverrides: freeDimensionOverrides(unit, sizes[stageOfUnit(unit.id)]) } : base;
}

/**
 * Every pass of the package's pipeline as stream units (the one unit walk: shared/model/manifestUnits); with
 * `sizes` (shared/model/staticAxes.ts, where static shapes are wanted), each with its stage's static shapes.
 */
export function streamPasses(pkg: ModelPackage, sizes?: Readonly<Record<UnitStage, AxisSizes>>): PipelinePasses<StreamUnit> {
  const passes = manifestPasses(pkg.manifest);
  const toStream = (unit: ModelUnit): StreamUnit => streamUnitOf(pkg, unit, sizes);
  return {
    text: passes.text.map(toStream),
    denoiser: passes.denoiser.map(toStream),
    denoiserMerged: passes.denoiserMerged.map(toStream),
    decoder: passes.decoder.map(toStream),
  };
}

/**
 * A job's stream units by prompt length (the caption axis L): where static shapes are wanted (the CoreML EP), each
 * unit carries its stage's sizes for `clip` and that length, so a prompt of another length gets sessions of its own;
 * elsewhere one symbolic set serves every length, as before.
 */
export function jobPasses(pkg: ModelPackage, clip: ClipSize, staticShapes = staticShapesWanted()): (textTokens: number) => PipelinePasses<StreamUnit> {
  if (!staticShapes) {
    const passes = streamPasses(pkg);
    return () => passes;
  }
  let last: { textTokens: number; passes: PipelinePasses<StreamUnit> } | null = null;
  return (textTokens) => {
    if (last?.textTokens !== textTokens) {
      last = { textTokens, passes: streamPasses(pkg, stageAxisSizes({ manifest: pkg.manifest, clip, textTokens })) };
    }
    return last.passes;
  };
}
