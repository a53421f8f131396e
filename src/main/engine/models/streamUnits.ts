import path from 'node:path';
import type { ModelUnit } from '@shared/model/manifest';
import { loadedUnitBytes } from '@shared/model/memoryPlan';
import { mapUnitPasses, unitPasses, type UnitPasses } from '@shared/model/unitPasses';
import type { ModelPackage } from '../package/modelPackage';
import type { StreamUnit } from '../streaming/unitStreamer';

/** A manifest unit as the streamer loads it (absolute ONNX path, budgeted size: weights plus a session's overhead). */
export function streamUnitOf(pkg: ModelPackage, unit: ModelUnit): StreamUnit {
  return { id: unit.id, modelPath: path.join(pkg.dir, unit.file), sizeBytes: loadedUnitBytes(unit.sizeBytes) };
}

/** The package's units grouped by pass (shared/model/unitPasses), as the streamer loads them. */
export function streamUnitPasses(pkg: ModelPackage): UnitPasses<StreamUnit> {
  return mapUnitPasses(unitPasses(pkg.manifest), (unit) => streamUnitOf(pkg, unit));
}
