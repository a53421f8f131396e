import type { LatentShape } from './types';
import { assertLatentLength } from './types';

/**
 * Cosine similarities between two velocities, used by dynamic LPL. Sums are accumulated in float64.
 * Like torch.nn.functional.cosine_similarity, the denominator is clamped: dot / max(‖a‖·‖b‖, 1e-8), so two
 * zero vectors give 0 rather than NaN.
 */

const NORM_EPSILON = 1e-8;

/** Cosine similarity of two whole tensors, flattened (any layout, equal lengths). */
export function cosineSimilarityFullLatent(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`cosine similarity needs equal lengths, got ${a.length} and ${b.length}`);
  }
  return cosineOfRange(a, b, 0, a.length);
}

/**
 * The On-device Sora reference score: take the slice [channel 0, frame 0] of each [C, T, H, W] tensor
 * (batch 0 of the Python code's [B, C, T, H, W]), compute the cosine similarity of each row (a vector of W
 * values), and return the mean over the H rows.
 */
export function cosineSimilarityPaperSlice(a: Float32Array, b: Float32Array, latentShape: LatentShape): number {
  assertLatentLength('velocity a', a.length, latentShape);
  assertLatentLength('velocity b', b.length, latentShape);
  return meanRowCosine(a, b, latentShape.height, latentShape.width);
}

/**
 * Mean over rows of the row-wise cosine similarity of the leading [rows, cols] block of `a` and `b`.
 * Exported so a stored slice (H·W values) can be compared without keeping the whole latent.
 */
export function meanRowCosine(a: Float32Array, b: Float32Array, rows: number, cols: number): number {
  if (a.length < rows * cols || b.length < rows * cols) {
    throw new RangeError(`row cosine over [${rows}, ${cols}] needs ${rows * cols} values`);
  }
  let sum = 0;
  for (let row = 0; row < rows; row++) {
    sum += cosineOfRange(a, b, row * cols, (row + 1) * cols);
  }
  return sum / rows;
}

function cosineOfRange(a: Float32Array, b: Float32Array, start: number, end: number): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = start; i < end; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return dot / Math.max(Math.sqrt(normA) * Math.sqrt(normB), NORM_EPSILON);
}
