import path from 'node:path';
import type { ClipSize } from '@shared/model/clipSize';
import type { ModelUnit } from '@shared/model/manifest';
import { loadedUnitBytes } from '@shared/model/memoryPlan';
import { freeDimensionOverrides, stageAxisSizes, stageOfUnit, type AxisSizes, type UnitStage } from '@shared/model/staticAxes';
import { mapUnitPasses, unitPasses, type UnitPasses } from '@shared/model/unitPasses';
import type { ModelPackage } from '../package/modelPackage';
import { staticShapesWanted } from '../runtime/sessionOptions';
import type { StreamUnit } from '../streaming/unitStreamer';

/**
 * A manifest unit as the streamer loads it (absolute ONNX path, budgeted size: weights plus a session's overhead);
 * with `sizes`, its session gets static shapes (free-dimension overrides from its stage's axis sizes).
 */
export function streamUnitOf(pkg: ModelPackage, unit: ModelUnit, sizes?: Readonly<Record<UnitStage, AxisSizes>>): StreamUnit {
  const base: StreamUnit = {
    id: unit.id,
    modelPath: path.join(pkg.dir, unit.file),
    sizeBytes: loadedUnitBytes(unit.sizeBytes),
    ...(unit.weightsFile ? { weightsPath: path.join(pkg.dir, unit.weightsFile) } : {}),
  };
  return sizes ? { ...base, freeDimensionOverrides: freeDimensionOverrides(unit, sizes[stageOfUnit(unit.id)]) } : base;
}

/**
 * The package's units grouped by pass (shared/model/unitPasses), as the streamer loads them; with `sizes`
 * (shared/model/staticAxes.ts, where static shapes are wanted), each with its stage's static shapes.
 */
export function streamUnitPasses(pkg: ModelPackage, sizes?: Readonly<Record<UnitStage, AxisSizes>>): UnitPasses<StreamUnit> {
  return mapUnitPasses(unitPasses(pkg.manifest), (unit) => streamUnitOf(pkg, unit, sizes));
}

/**
 * A job's stream units by prompt length (the caption axis L): where static shapes are wanted (the CoreML EP), each
 * unit carries its stage's sizes for `clip` and that length, so a prompt of another length gets sessions of its own;
 * elsewhere one symbolic set serves every length, as before.
 */
export function jobPasses(pkg: ModelPackage, clip: ClipSize, staticShapes = staticShapesWanted()): (textTokens: number) => UnitPasses<StreamUnit> {
  if (!staticShapes) {
    const passes = streamUnitPasses(pkg);
    return () => passes;
  }
  let last: { textTokens: number; passes: UnitPasses<StreamUnit> } | null = null;
  return (textTokens) => {
    if (last?.textTokens !== textTokens) {
      last = { textTokens, passes: streamUnitPasses(pkg, stageAxisSizes({ manifest: pkg.manifest, clip, textTokens })) };
    }
    return last.passes;
  };
}
