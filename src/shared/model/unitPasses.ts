import type { ModelUnit, PackageManifest } from './manifest';

/**
 * A generation's units grouped by pass, each list in the order it runs: the text encoder, the denoiser (plain and
 * with TDTM's merged blocks) and the decoder. Every pass streams on its own and releases everything after; the
 * memory plan, the budget resolution, the model catalog and the engine all take their units in this shape.
 */
export interface UnitPasses<U = ModelUnit> {
  text: readonly U[];
  denoiser: readonly U[];
  denoiserMerged: readonly U[];
  decoder: readonly U[];
}
export type PassName = keyof UnitPasses;

/** The one walk over a manifest's units: the units of each pass, in pipeline order. */
export function unitPasses(manifest: PackageManifest): UnitPasses<ModelUnit> {
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

/** The same passes with every unit mapped (e.g. to the streamer's units). */
export function mapUnitPasses<U, V>(passes: UnitPasses<U>, map: (unit: U) => V): UnitPasses<V> {
  return { text: passes.text.map(map), denoiser: passes.denoiser.map(map), denoiserMerged: passes.denoiserMerged.map(map), decoder: passes.decoder.map(map) };
}
