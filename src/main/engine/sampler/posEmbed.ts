/**
 * Open-Sora's fixed 2D sin-cos position embedding for the spatial patch grid (docs/open-sora.md §Embeddings),
 * the `pos_emb` input of `denoiser.embedder` (models/FORMAT.md).
 *
 * With ω_k = 10000^(−k/(C/4)), k = 0 … C/4−1, and for patch (row i, column j):
 *   u_j = j·baseSize / (Wp·scale)   (column coordinate)     v_i = i·baseSize / (Hp·scale)   (row coordinate)
 *   pos[i·Wp + j] = [sin(u_j·ω), cos(u_j·ω), sin(v_i·ω), cos(v_i·ω)]
 * The first half encodes the column and the second half the row; sin precedes cos. Computed in float64 and
 * rounded to float32 (upstream computes in float32, so values may differ by about 1e-6).
 */

export interface PatchGrid {
  /** Patch rows Hp. */
  readonly rows: number;
  /** Patch columns Wp. */
  readonly cols: number;
}

export interface PosEmbed2dOptions {
  readonly grid: PatchGrid;
  /** Hidden size C, divisible by 4. */
  readonly hiddenSize: number;
  /** Pixel size of the clip (not latent): the scale uses pixels. */
  readonly heightPx: number;
  readonly widthPx: number;
  /** Reference side of the scale (Open-Sora: 512). */
  readonly inputSqSize: number;
}

/** Patch grid of a latent: ceil(H/ph) × ceil(W/pw) (odd latent sizes are zero-padded bottom/right). */
export function patchGridOf(latentHeight: number, latentWidth: number, patchSize: { height: number; width: number }): PatchGrid {
  return { rows: Math.ceil(latentHeight / patchSize.height), cols: Math.ceil(latentWidth / patchSize.width) };
}

/**
 * base_size = round(sqrt(S)) for S = Hp·Wp patches. Python rounds ties to even, but a tie would need
 * sqrt(S) = n + 1/2, i.e. S = n² + n + 1/4, which is never an integer; and sqrt(n² + n) stays ≥ 1/(8n+4)
 * below the half, far more than float64 error. So Math.round agrees with Python for every patch count.
 */
export function posEmbedBaseSize(numPatches: number): number {
  return Math.round(Math.sqrt(numPatches));
}

/** scale = sqrt(heightPx·widthPx) / inputSqSize (0.624512 for 240×426 at 512). */
export function posEmbedScale(heightPx: number, widthPx: number, inputSqSize: number): number {
  return Math.sqrt(heightPx * widthPx) / inputSqSize;
}

/** The embedding, layout [1, S, C] float32 with S = Hp·Wp, patch index s = i·Wp + j (row-major). */
export function computePosEmbed2d(options: PosEmbed2dOptions): Float32Array {
  const { grid, hiddenSize } = options;
  if (!Number.isInteger(hiddenSize) || hiddenSize <= 0 || hiddenSize % 4 !== 0) {
    throw new RangeError(`hiddenSize ${hiddenSize} must be a positive multiple of 4 for the 2D position embedding`);
  }
  if (!Number.isInteger(grid.rows) || !Number.isInteger(grid.cols) || grid.rows < 1 || grid.cols < 1) {
    throw new RangeError(`patch grid ${grid.rows}×${grid.cols} must be positive integers`);
  }
  const scale = posEmbedScale(options.heightPx, options.widthPx, options.inputSqSize);
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new RangeError(
      `position-embedding scale from ${options.heightPx}×${options.widthPx} px / ${options.inputSqSize} must be positive`,
    );
  }
  const quarter = hiddenSize / 4;
  const baseSize = posEmbedBaseSize(grid.rows * grid.cols);
  const frequencies = new Float64Array(quarter);
  for (let k = 0; k < quarter; k++) {
    frequencies[k] = Math.pow(10000, -k / quarter);
  }
  const colStep = baseSize / (grid.cols * scale);
  const rowStep = baseSize / (grid.rows * scale);
  const out = new Float32Array(grid.rows * grid.cols * hiddenSize);
  for (let i = 0; i < grid.rows; i++) {
    const v = i * rowStep;
    for (let j = 0; j < grid.cols; j++) {
      const u = j * colStep;
      const base = (i * grid.cols + j) * hiddenSize;
      for (let k = 0; k < quarter; k++) {
        out[base + k] = Math.sin(u * frequencies[k]);
        out[base + quarter + k] = Math.cos(u * frequencies[k]);
        out[base + 2 * quarter + k] = Math.sin(v * frequencies[k]);
        out[base + 3 * quarter + k] = Math.cos(v * frequencies[k]);
      }
    }
  }
  return out;
}
