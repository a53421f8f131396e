import path from 'node:path';
import { runOnce } from '../../engine/runtime/ort';
import { standardNormalNoise } from '../../engine/sampler/random';

export interface PreviewFitInput {
  packageDir: string;
  temporalFile: string;
  spatialFile: string;
  channels: number;
  chunkFrames: number;
  timeFactor: number;
  spatialFactor: number;
  microBatch: number;
}

export interface PreviewFit {
  factors: number[][];
  bias: number[];
  rmse: number;
}

const SAMPLES = 2;
const SIZE = 8;
const SEED = 0;

/**
 * The latent preview (models/FORMAT.md, "Preview"): rgb ≈ bias + Σ_c z[c]·factors[c] per latent pixel and frame,
 * fitted by least squares on random normalized latents decoded through the package's own two VAE units; the
 * target is the decoded chunk averaged over each latent pixel's block and its frames (latent frame 0 ↔ frame 0,
 * latent k ↔ frames 4k−3 … 4k). The same fit as the Python importer's, on this importer's own random latents.
 */
export async function fitPreview(input: PreviewFitInput): Promise<PreviewFit> {
  const { channels: c, timeFactor: tf, spatialFactor: f } = input;
  const tz = Math.ceil(input.chunkFrames / tf);
  const z = standardNormalNoise(SEED, SAMPLES * c * tz * SIZE * SIZE);
  const temporal = await runOnce(path.join(input.packageDir, input.temporalFile), { z: { dtype: 'float32', dims: [SAMPLES, c, tz, SIZE, SIZE], data: z } });
  const decodedFrames = tz * tf;
  const pad = (tf - (input.chunkFrames % tf)) % tf;
  const frames = decodedFrames - pad;
  const plane = SIZE * SIZE;
  // [S, C, decodedFrames, h, w] → frames [S·frames, C, h, w] after dropping the front padding
  const flat = new Float32Array(SAMPLES * frames * c * plane);
  for (let s = 0; s < SAMPLES; s++) {
    for (let t = 0; t < frames; t++) {
      for (let ch = 0; ch < c; ch++) {
        const from = ((s * c + ch) * decodedFrames + t + pad) * plane;
        flat.set(temporal.x_z.subarray(from, from + plane), ((s * frames + t) * c + ch) * plane);
      }
    }
  }
  const px = SIZE * f;
  const rgbMean = new Float64Array(SAMPLES * frames * 3 * plane); // [S·frames, 3, h, w]: block means of clamped rgb
  for (let start = 0; start < SAMPLES * frames; start += input.microBatch) {
    const n = Math.min(input.microBatch, SAMPLES * frames - start);
    const out = await runOnce(path.join(input.packageDir, input.spatialFile), {
      x_z: { dtype: 'float32', dims: [n, c, SIZE, SIZE], data: flat.slice(start * c * plane, (start + n) * c * plane) },
    });
    const rgb = out.frames;
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < 3; ch++) {
        for (let y = 0; y < px; y++) {
          for (let x = 0; x < px; x++) {
            const v = Math.min(1, Math.max(-1, rgb[((i * 3 + ch) * px + y) * px + x]));
            rgbMean[(((start + i) * 3 + ch) * SIZE + Math.floor(y / f)) * SIZE + Math.floor(x / f)] += v / (f * f);
          }
        }
      }
    }
  }
  const groups: number[][] = [[0]];
  for (let k = 1; k < tz; k++) {
    const g: number[] = [];
    for (let t = tf * (k - 1) + 1; t < Math.min(tf * k + 1, frames); t++) {
      g.push(t);
    }
    groups.push(g);
  }
  // Normal equations of [z, 1] → rgb over every (sample, latent frame, pixel).
  const m = c + 1;
  const ata = new Float64Array(m * m);
  const atb = new Float64Array(m * 3);
  const rows: { a: Float64Array; b: Float64Array }[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    for (let k = 0; k < tz; k++) {
      for (let p = 0; p < plane; p++) {
        const a = new Float64Array(m);
        for (let ch = 0; ch < c; ch++) {
          a[ch] = z[((s * c + ch) * tz + k) * plane + p];
        }
        a[c] = 1;
        const b = new Float64Array(3);
        for (const t of groups[k]) {
          for (let ch = 0; ch < 3; ch++) {
            b[ch] += rgbMean[((s * frames + t) * 3 + ch) * plane + p] / groups[k].length;
          }
        }
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            ata[i * m + j] += a[i] * a[j];
          }
          for (let ch = 0; ch < 3; ch++) {
            atb[i * 3 + ch] += a[i] * b[ch];
          }
        }
        rows.push({ a, b });
      }
    }
  }
  const sol = solve(ata, atb, m, 3);
  let err = 0;
  for (const { a, b } of rows) {
    for (let ch = 0; ch < 3; ch++) {
      let v = 0;
      for (let i = 0; i < m; i++) {
        v += a[i] * sol[i * 3 + ch];
      }
      err += (v - b[ch]) ** 2;
    }
  }
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  const factors = Array.from({ length: c }, (_, i) => [0, 1, 2].map((ch) => round(sol[i * 3 + ch])));
  return { factors, bias: [0, 1, 2].map((ch) => round(sol[c * 3 + ch])), rmse: Math.sqrt(err / (rows.length * 3)) };
}

/** Solves A·X = B (A m×m symmetric positive definite, B m×k) by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, b: Float64Array, m: number, k: number): Float64Array {
  const A = Float64Array.from(a);
  const X = Float64Array.from(b);
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) {
      if (Math.abs(A[r * m + col]) > Math.abs(A[pivot * m + col])) {
        pivot = r;
      }
    }
    for (let j = 0; j < m; j++) {
      [A[col * m + j], A[pivot * m + j]] = [A[pivot * m + j], A[col * m + j]];
    }
    for (let j = 0; j < k; j++) {
      [X[col * k + j], X[pivot * k + j]] = [X[pivot * k + j], X[col * k + j]];
    }
    for (let r = 0; r < m; r++) {
      if (r !== col) {
        const factor = A[r * m + col] / A[col * m + col];
        for (let j = 0; j < m; j++) {
          A[r * m + j] -= factor * A[col * m + j];
        }
        for (let j = 0; j < k; j++) {
          X[r * k + j] -= factor * X[col * k + j];
        }
      }
    }
  }
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < k; j++) {
      X[r * k + j] /= A[r * m + r];
    }
  }
  return X;
}
