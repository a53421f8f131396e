import type { ModelUnit, PackageManifest } from './manifest';
import { unitPasses } from './unitPasses';

/** Every distinct unit of a manifest once (by id), in pipeline order (the VAE encoder's, if any, last). */
export function allManifestUnits(manifest: PackageManifest): ModelUnit[] {
  const passes = unitPasses(manifest);
  const seen = new Map<string, ModelUnit>();
  for (const unit of [...passes.text, ...passes.denoiser, ...passes.denoiserMerged, ...passes.decoder, ...passes.encoder]) {
    if (!seen.has(unit.id)) {
      seen.set(unit.id, unit);
    }
  }
  return [...seen.values()];
}

/** Bytes of weights on disk: units that share a weights file (TDTM variants) count it once. */
export function manifestWeightsBytes(manifest: PackageManifest): number {
  const byFile = new Map<string, number>();
  for (const unit of allManifestUnits(manifest)) {
    const file = unit.weightsFile ?? unit.file;
    byFile.set(file, Math.max(byFile.get(file) ?? 0, unit.sizeBytes));
  }
  return [...byFile.values()].reduce((sum, bytes) => sum + bytes, 0);
}
