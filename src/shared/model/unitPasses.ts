import type { ModelUnit, PackageManifest } from './manifest';

/**
 * A generation's units grouped by pass, each list in the order it runs: the text encoder, the VAE encoder of
 * reference frames (empty for a model without one), the denoiser (plain and with TDTM's merged blocks) and the
 * decoder. Every pass streams on its own and releases everything after; the memory plan, the budget resolution, the
 * model catalog and the engine all take their units in this shape.
 */
export interface UnitPasses<U = ModelUnit> {
  text: readonly U[];
  /** Image-to-video and extension only: the spatial encoder (per micro-batch of frames), then the temporal one (per chunk). */
  encoder: readonly U[];
  denoiser: readonly U[];
  denoiserMerged: readonly U[];
  decoder: readonly U[];
}
export type PassName = keyof UnitPasses;

/** Which optional passes a run uses: TDTM's merged denoiser, and the encoder where reference frames condition the clip. */
export interface PassesUsed {
  readonly usesMergedSteps: boolean;
  readonly conditioned: boolean;
}

/**
 * The passes a run streams, in order. The encoder counts only for a conditioned run: a text-to-video run never loads
 * it, so it neither raises that run's minimum budget nor its 'all' figure.
 */
export function passesUsed(used: PassesUsed): PassName[] {
  return ['text', ...(used.conditioned ? (['encoder'] as const) : []), 'denoiser', ...(used.usesMergedSteps ? (['denoiserMerged'] as const) : []), 'decoder'];
}

/** The one walk over a manifest's units: the units of each pass, in pipeline order. */
export function unitPasses(manifest: PackageManifest): UnitPasses<ModelUnit> {
  const { text, denoiser } = manifest;
  const encoder = manifest.architecture === 'opensora-1.2' ? manifest.vae.encoder : undefined;
  return {
    text: [text.embed, ...text.blocks, text.final],
    encoder: encoder ? [encoder.spatial, encoder.temporal] : [],
    denoiser: [denoiser.embedder, ...denoiser.blocks.map((pair) => pair.unit), denoiser.final],
    denoiserMerged: [denoiser.embedder, ...denoiser.blocks.map((pair) => pair.tdtm), denoiser.final],
    // Open-Sora's video VAE: the temporal decoder (per chunk of latent frames), then the image decoder (per
    // micro-batch of frames); each call is a pass of its own, the forecast counts both at once.
    decoder: manifest.architecture === 'stdit3' ? [manifest.decoder.unit] : [manifest.vae.temporal.unit, manifest.vae.spatial.unit],
  };
}

/** The same passes with every unit mapped (e.g. to the streamer's units). */
export function mapUnitPasses<U, V>(passes: UnitPasses<U>, map: (unit: U) => V): UnitPasses<V> {
  return { text: passes.text.map(map), encoder: passes.encoder.map(map), denoiser: passes.denoiser.map(map), denoiserMerged: passes.denoiserMerged.map(map), decoder: passes.decoder.map(map) };
}
