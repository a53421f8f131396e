import { describe, expect, it } from 'vitest';
import { differenceHeatMap, psnr, ssim, type QualityFrames } from '../../../src/shared/media/quality';

/** A grey clip (R = G = B, so luma equals the value) from a per-pixel function of (x, y, frame). */
function grey(width: number, height: number, frames: number, value: (x: number, y: number, frame: number) => number): QualityFrames {
  const rgba = new Uint8Array(width * height * 4 * frames);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = ((f * height + y) * width + x) * 4;
        rgba.fill(value(x, y, f), i, i + 3);
        rgba[i + 3] = 255;
      }
    }
  }
  return { width, height, frames, rgba };
}

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

describe('SSIM and PSNR on decoded frames', () => {
  it('identical clips: SSIM 1 and PSNR ∞', () => {
    const clip = grey(16, 16, 3, (x, y, f) => (x * 13 + y * 7 + f * 40) % 256);
    expect(ssim(clip, clip)).toBe(1);
    expect(psnr(clip, clip)).toBe(Infinity);
  });

  it('PSNR of a ±20 checkerboard on flat grey: MSE 400 → 10·log10(255²/400) dB', () => {
    const flat = grey(16, 16, 2, () => 100);
    const checker = grey(16, 16, 2, (x, y) => ((x + y) % 2 === 0 ? 120 : 80));
    expect(psnr(flat, checker)).toBeCloseTo(10 * Math.log10((255 * 255) / 400), 12);
  });

  it('SSIM of two flat frames is the luminance term alone: (2·100·110 + C1) / (100² + 110² + C1)', () => {
    expect(ssim(grey(16, 16, 1, () => 100), grey(16, 16, 1, () => 110))).toBeCloseTo((2 * 100 * 110 + C1) / (100 ** 2 + 110 ** 2 + C1), 12);
  });

  it('SSIM of flat grey against a ±20 checkerboard ≈ C2 / (σ² + C2) with σ² = 400, and matches an independent direct 2-D computation', () => {
    const flat = grey(16, 16, 1, () => 100);
    const checker = grey(16, 16, 1, (x, y) => ((x + y) % 2 === 0 ? 120 : 80));
    const value = ssim(flat, checker) as number;
    // By hand: no structure in the flat frame (σx = cov = 0) and means ≈ equal, so SSIM ≈ C2 / (σy² + C2).
    expect(value).toBeCloseTo(C2 / (400 + C2), 3);
    // The same window sums done directly in 2-D (numpy, float64) give 0.1276327770174862.
    expect(value).toBeCloseTo(0.1276327770174862, 10);
    expect(ssim(checker, flat)).toBeCloseTo(value, 12);
  });

  it('a ramp against the ramp plus deterministic noise in [-10, 10]: reference SSIM and PSNR', () => {
    const ramp = (x: number, y: number): number => (x * 13 + y * 7) % 256;
    // The classic C-library LCG, in BigInt so the products stay exact.
    let seed = 12345n;
    const noise: number[] = [];
    for (let i = 0; i < 256; i++) {
      seed = (seed * 1103515245n + 12345n) % 2n ** 31n;
      noise.push(Number(seed % 21n) - 10);
    }
    const clean = grey(16, 16, 1, ramp);
    const noisy = grey(16, 16, 1, (x, y) => Math.min(255, Math.max(0, ramp(x, y) + noise[y * 16 + x])));
    // Reference values from a direct float64 implementation of the same definitions (2-D window sums, MSE).
    expect(ssim(clean, noisy)).toBeCloseTo(0.9634805216335747, 10);
    expect(psnr(clean, noisy)).toBeCloseTo(32.29695591645755, 10);
  });

  it('averages over frames, uses a smaller window on frames under 11 px, and refuses clips of different shapes', () => {
    const a = grey(16, 16, 2, () => 100);
    const b = grey(16, 16, 2, (_x, _y, f) => (f === 0 ? 100 : 110));
    expect(ssim(a, b)).toBeCloseTo((1 + (2 * 100 * 110 + C1) / (100 ** 2 + 110 ** 2 + C1)) / 2, 12);
    expect(ssim(grey(8, 8, 1, () => 50), grey(8, 8, 1, () => 50))).toBe(1);
    expect(ssim(a, grey(16, 8, 2, () => 100))).toBeNull();
    expect(psnr(a, grey(16, 16, 3, () => 100))).toBeNull();
  });

  it('the difference heat map is black where equal and brighter where the clips differ', () => {
    const a = grey(2, 1, 1, () => 100);
    const b = grey(2, 1, 1, (x) => (x === 0 ? 100 : 164));
    expect([...(differenceHeatMap(a, b, 0, 4) as Uint8ClampedArray)]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    expect([...(differenceHeatMap(a, b, 0, 1) as Uint8ClampedArray)]).toEqual([0, 0, 0, 255, 192, 0, 0, 255]);
  });
});
