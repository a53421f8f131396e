import { describe, expect, it } from 'vitest';
import {
  computePosEmbed2d,
  patchGridOf,
  posEmbedBaseSize,
  posEmbedScale,
} from '../../../src/main/engine/sampler/posEmbed';

// Golden rows from a numpy transcription of upstream PositionEmbedding2D._forward (meshgrid + transpose path),
// grid 3×4, C = 16, 48×64 px, inputSqSize 512 (scale 0.108253, base_size 3).
const GOLDEN_3x4_C16 = [
  [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1],
  [0.60121276, 0.63870981, 0.06922662, 0.00692815, 0.79908899, 0.76944771, 0.997600960, 0.999976, 0, 0, 0, 0, 1, 1, 1, 1],
  [0.960845, 0.9829076, 0.13812109, 0.01385596, 0.27708643, 0.18409956, 0.99041535, 0.999904, 0, 0, 0, 0, 1, 1, 1, 1],
  [0.93438856, 0.8738822, 0.20635283, 0.02078311, -0.35625556, -0.48613775, 0.97847765, 0.99978401, 0, 0, 0, 0, 1, 1, 1, 1],
  [0, 0, 0, 0, 1, 1, 1, 1, 0.18608266, 0.79787413, 0.09224472, 0.00923747, -0.98253409, 0.60282408, 0.99573637, 0.99995733],
  [0.60121276, 0.63870981, 0.06922662, 0.00692815, 0.79908899, 0.76944771, 0.99760096, 0.999976, 0.18608266, 0.79787413, 0.09224472, 0.00923747, -0.98253409, 0.60282408, 0.99573637, 0.99995733],
  [0.960845, 0.9829076, 0.13812109, 0.01385596, 0.27708643, 0.18409956, 0.99041535, 0.999904, 0.18608266, 0.79787413, 0.09224472, 0.00923747, -0.98253409, 0.60282408, 0.99573637, 0.99995733],
  [0.93438856, 0.8738822, 0.20635283, 0.02078311, -0.35625556, -0.48613775, 0.97847765, 0.99978401, 0.18608266, 0.79787413, 0.09224472, 0.00923747, -0.98253409, 0.60282408, 0.99573637, 0.99995733],
  [0, 0, 0, 0, 1, 1, 1, 1, -0.36566512, 0.96195547, 0.18370284, 0.01847416, 0.93074649, -0.27320627, 0.98298182, 0.99982934],
  [0.60121276, 0.63870981, 0.06922662, 0.00692815, 0.79908899, 0.76944771, 0.99760096, 0.999976, -0.36566512, 0.96195547, 0.18370284, 0.01847416, 0.93074649, -0.27320627, 0.98298182, 0.99982934],
  [0.960845, 0.9829076, 0.13812109, 0.01385596, 0.27708643, 0.18409956, 0.99041535, 0.999904, -0.36566512, 0.96195547, 0.18370284, 0.01847416, 0.93074649, -0.27320627, 0.98298182, 0.99982934],
  [0.93438856, 0.8738822, 0.20635283, 0.02078311, -0.35625556, -0.48613775, 0.97847765, 0.99978401, -0.36566512, 0.96195547, 0.18370284, 0.01847416, 0.93074649, -0.27320627, 0.98298182, 0.99982934],
];

describe('2D sin-cos position embedding', () => {
  it('matches the golden table: column in the first half, row in the second, sin before cos', () => {
    const pos = computePosEmbed2d({ grid: { rows: 3, cols: 4 }, hiddenSize: 16, heightPx: 48, widthPx: 64, inputSqSize: 512 });
    expect(pos.length).toBe(12 * 16);
    GOLDEN_3x4_C16.forEach((row, s) => {
      row.forEach((value, c) => {
        expect(Math.abs(pos[s * 16 + c] - value), `pos[${s}][${c}]`).toBeLessThan(1e-6);
      });
    });
  });

  it('240p (Hp 15, Wp 27, C 1152): base 20, scale 0.624512, column step 1.18611, row step 2.135', () => {
    expect(posEmbedScale(240, 426, 512)).toBeCloseTo(0.624512, 6);
    expect(posEmbedBaseSize(15 * 27)).toBe(20);
    const pos = computePosEmbed2d({ grid: { rows: 15, cols: 27 }, hiddenSize: 1152, heightPx: 240, widthPx: 426, inputSqSize: 512 });
    expect(pos.length).toBe(405 * 1152);
    // ω_0 = 1: patch (0, 1) column angle = 1.18611; patch (1, 0) row angle = 2.13500.
    expect(pos[1 * 1152 + 0]).toBeCloseTo(Math.sin(1.186113), 5);
    expect(pos[27 * 1152 + 576]).toBeCloseTo(Math.sin(2.135), 4);
    expect(pos[27 * 1152 + 0]).toBe(0);
    // Golden values from the same numpy transcription.
    const golden: [number, number, number][] = [
      [1, 0, 0.92691701],
      [28, 5, 0.84727696],
      [404, 287, 0.0031841],
      [404, 388, 0.30625962],
      [404, 579, 0.89954145],
      [404, 1151, 0.99999524],
      [200, 700, 0.27954286],
    ];
    for (const [s, c, value] of golden) {
      expect(Math.abs(pos[s * 1152 + c] - value), `pos[${s}][${c}]`).toBeLessThan(2e-6);
    }
  });

  it('360p (Hp 23, Wp 40): base 30, scale 0.9375, row step 1.391304, column step 0.8', () => {
    const pos = computePosEmbed2d({ grid: { rows: 23, cols: 40 }, hiddenSize: 1152, heightPx: 360, widthPx: 640, inputSqSize: 512 });
    expect(posEmbedBaseSize(23 * 40)).toBe(30);
    expect(pos[1 * 1152]).toBeCloseTo(Math.sin(0.8), 6);
    expect(pos[1 * 1152 + 288]).toBeCloseTo(Math.cos(0.8), 6);
    expect(pos[40 * 1152 + 576]).toBeCloseTo(Math.sin(1.391304), 6);
    expect(pos[40 * 1152 + 864]).toBeCloseTo(Math.cos(1.391304), 6);
  });

  it('base_size equals Python round(sqrt(S)) (ties cannot occur for integer S)', () => {
    // Python: [(S, round(math.sqrt(S))) for S in ...]; n² + n sits just below each half.
    const python: [number, number][] = [[2, 1], [6, 2], [12, 3], [20, 4], [30, 5], [42, 6], [56, 7], [405, 20], [920, 30], [1056, 32]];
    for (const [s, expected] of python) {
      expect(posEmbedBaseSize(s)).toBe(expected);
    }
  });

  it('patch grid rounds odd latent sizes up', () => {
    expect(patchGridOf(30, 53, { height: 2, width: 2 })).toEqual({ rows: 15, cols: 27 });
  });

  it('rejects a hidden size that is not a multiple of 4', () => {
    expect(() => computePosEmbed2d({ grid: { rows: 1, cols: 1 }, hiddenSize: 18, heightPx: 8, widthPx: 8, inputSqSize: 512 })).toThrow(
      /hiddenSize 18/,
    );
  });
});
