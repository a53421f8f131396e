import type { ModelUnit, PackageManifest } from './manifest';
import type { PipelinePasses } from './pipelineBudget';

/**
 * The one walk over a manifest's units: the unit list of each pass, in pipeline order. Package checks, the
 * memory plan, the model catalog and the engine all take their units from here.
 */
export function manifestPasses(manifest: PackageManifest): PipelinePasses<ModelUnit> {
  const { text, denoiser } = manifest;
  return {
    text: [text.embed, ...text.blocks, text.final],
    denoiser: [denoiser.embedder, ...denoiser.blocks.map((pair) => pair.unit), denoiser.final],
    denoiserMerged: [denoiser.embedder, ...denoiser.blocks.map((pair) => pair.tdtm), denoiser.final],
    // Open-Sora's video VAE: the temporal decoder (per chunk of latent frames), then the image decoder (per
    // micro-batch of frames); each call is a pass of its own, the forecast counts both at once.
    decoder: manifest.architecture === 'stdit3' ? [manifest.decoder.unit] : [manifest.vae.temporal.unit, manifest.vae.spatial.unit],
  };
}

/**
 * The VAE encoder's units in the order they run (image encoder, then temporal encoder): empty for the built-in
 * architecture and for Open-Sora packages imported without them. Conditioning frames are encoded once per job.
 */
export function encoderUnits(manifest: PackageManifest): ModelUnit[] {
  const encoder = manifest.architecture === 'opensora-1.2' ? manifest.vae.encoder : undefined;
  return encoder ? [encoder.spatial, encoder.temporal] : [];
}

/** Every distinct unit of a manifest once (by id), in pipeline order (the VAE encoder's, if any, last). */
export function allManifestUnits(manifest: PackageManifest): ModelUnit[] {
  const passes = manifestPasses(manifest);
  const seen = new Map<string, ModelUnit>();
  for (const unit of [...passes.text, ...passes.denoiser, ...passes.denoiserMerged, ...passes.decoder, ...encoderUnits(manifest)]) {
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
