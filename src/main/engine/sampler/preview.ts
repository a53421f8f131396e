import type { LatentShape } from './types';
import { assertLatentLength } from './types';

/**
 * Cheap latent → RGB preview (models/FORMAT.md "Preview"): per latent pixel, rgb = bias + Σ_c latent[c]·factors[c],
 * in [-1, 1], mapped to 0…255. Meant for the x0 estimate z + τ·v̂ (`estimateCleanLatentInto`), at latent
 * resolution; the UI scales it up.
 */

/** Same shape as the manifest's `preview` object. */
export interface LatentPreviewProjection {
  /** [channels][3]: RGB contribution of each latent channel. */
  readonly factors: readonly (readonly [number, number, number])[];
  /** [3]: RGB offset. */
  readonly bias: readonly [number, number, number];
}

/**
 * Projects every latent frame.
 * @param latent [C, T, H, W] float32 (one batch item).
 * @returns T frames, each an RGBA image [H, W, 4] (row-major, alpha 255), values (x + 1)·127.5 clamped to
 *   0…255 and rounded by Uint8ClampedArray.
 */
export function latentToRgbaFrames(
  latent: Float32Array,
  latentShape: LatentShape,
  projection: LatentPreviewProjection,
): Uint8ClampedArray[] {
  assertLatentLength('preview latent', latent.length, latentShape);
  const { channels, frames, height, width } = latentShape;
  if (projection.factors.length !== channels) {
    throw new RangeError(`preview has factors for ${projection.factors.length} channels, latent has ${channels}`);
  }
  const pixels = height * width;
  const channelStride = frames * pixels;
  const [biasR, biasG, biasB] = projection.bias;
  const images: Uint8ClampedArray[] = [];
  for (let t = 0; t < frames; t++) {
    const rgba = new Uint8ClampedArray(pixels * 4);
    for (let p = 0; p < pixels; p++) {
      let r = biasR;
      let g = biasG;
      let b = biasB;
      let index = t * pixels + p;
      for (let c = 0; c < channels; c++) {
        const value = latent[index];
        const factor = projection.factors[c];
        r += value * factor[0];
        g += value * factor[1];
        b += value * factor[2];
        index += channelStride;
      }
      rgba[4 * p] = (r + 1) * 127.5;
      rgba[4 * p + 1] = (g + 1) * 127.5;
      rgba[4 * p + 2] = (b + 1) * 127.5;
      rgba[4 * p + 3] = 255;
    }
    images.push(rgba);
  }
  return images;
}
