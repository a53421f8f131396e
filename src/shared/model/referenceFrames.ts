import type { ModelUnit, PackageManifest } from './manifest';

/**
 * Whether a package can condition a clip on reference frames (an image to animate, a clip to extend): Open-Sora
 * 1.2's reference conditioning needs the VAE encoder and denoiser units that take the per-frame mask `x_mask` and
 * the timestep-0 embeddings (models/FORMAT.md, "Reference frames"). Packages imported before those existed, and the
 * built-in architecture (trained on text only), cannot.
 */
export type ReferenceFrameSupport = { readonly supported: true } | { readonly supported: false; readonly reason: string };

const takes = (unit: ModelUnit, name: string): boolean => unit.inputs.some((input) => input.name === name);
const gives = (unit: ModelUnit, name: string): boolean => unit.outputs.some((output) => output.name === name);

export function referenceFrameSupport(manifest: PackageManifest): ReferenceFrameSupport {
  if (manifest.architecture !== 'opensora-1.2') {
    return { supported: false, reason: `Model ${manifest.id} (${manifest.architecture}) was trained on text alone: it cannot start from an image or extend a clip.` };
  }
  if (!manifest.vae.encoder) {
    return { supported: false, reason: `Model ${manifest.id} has no VAE encoder units; import it again with this version of the studio to animate images or extend clips.` };
  }
  const { denoiser } = manifest;
  const masked = gives(denoiser.embedder, 't0_mlp') && takes(denoiser.final, 'x_mask') && denoiser.blocks.every((pair) => takes(pair.unit, 'x_mask') && takes(pair.tdtm, 'x_mask'));
  if (!masked) {
    return { supported: false, reason: `Model ${manifest.id}'s denoiser units take no frame mask (x_mask); import it again with this version of the studio to animate images or extend clips.` };
  }
  return { supported: true };
}
