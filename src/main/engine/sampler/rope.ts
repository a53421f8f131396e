/**
 * Temporal rotary position tables (docs/open-sora.md §Embeddings), the `rope_cos` / `rope_sin` inputs of every
 * denoiser block (models/FORMAT.md).
 *
 * Interleaved layout, as rotary_embedding_torch: with f_i = theta^(−2i/hd), i = 0 … hd/2−1, row p holds
 * cos(p·f_i) (resp. sin) in both columns 2i and 2i+1. Positions are 0 … positions−1; on TDTM steps the caller
 * passes ceil(T/2) positions with no rescaling, as the On-device Sora authors' code does (docs/techniques.md §Decisions, D5).
 */

export interface RopeTableOptions {
  /** Rows: latent frames T (or ceil(T/2) on merged steps). */
  readonly positions: number;
  /** Head dimension hd (72 for STDiT3-XL), even. */
  readonly headDim: number;
  /** Base of the frequencies; 10000 upstream. */
  readonly theta?: number;
}

export interface RopeTables {
  /** [positions, headDim] float32. */
  readonly cos: Float32Array;
  /** [positions, headDim] float32. */
  readonly sin: Float32Array;
}

export function computeRopeTables(options: RopeTableOptions): RopeTables {
  const { positions, headDim } = options;
  const theta = options.theta ?? 10000;
  if (!Number.isInteger(positions) || positions < 1) {
    throw new RangeError(`RoPE positions must be a positive integer, got ${positions}`);
  }
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2 !== 0) {
    throw new RangeError(`RoPE headDim must be a positive even integer, got ${headDim}`);
  }
  if (!(Number.isFinite(theta) && theta > 0)) {
    throw new RangeError(`RoPE theta must be positive, got ${theta}`);
  }
  const pairs = headDim / 2;
  const cos = new Float32Array(positions * headDim);
  const sin = new Float32Array(positions * headDim);
  for (let i = 0; i < pairs; i++) {
    const frequency = Math.pow(theta, (-2 * i) / headDim);
    for (let p = 0; p < positions; p++) {
      const angle = p * frequency;
      const column = p * headDim + 2 * i;
      cos[column] = cos[column + 1] = Math.cos(angle);
      sin[column] = sin[column + 1] = Math.sin(angle);
    }
  }
  return { cos, sin };
}
