import { describe, expect, it } from 'vitest';
import type { TimestepTransform } from '../../../src/shared/model/manifest';
import {
  computeTimesteps,
  eulerStepSizes,
  noiseLevelAt,
  shiftTimestep,
  timestepShiftFactor,
} from '../../../src/main/engine/sampler/schedule';
import { roundHalfToEven } from '../../../src/main/engine/sampler/rounding';

const OPEN_SORA: TimestepTransform = {
  kind: 'opensora',
  baseResolutionPixels: 512 * 512,
  baseFrames: 1,
  chunkFrames: 17,
  chunkLatentFrames: 5,
  scale: 1,
};

// docs/open-sora.md §Schedule: Open-Sora v1.2.0's transform, recomputed.
const TABLE_240P_EXACT = [
  1000.0, 985.94, 971.32, 956.08, 940.2, 923.63, 906.32, 888.23, 869.31, 849.48, 828.69, 806.87, 783.93, 759.79, 734.34,
  707.49, 679.12, 649.07, 617.22, 583.39, 547.38, 508.98, 467.95, 424.01, 376.82, 326.03, 271.2, 211.82, 147.31, 76.98,
];
const TABLE_240P_BF16 = [
  1000.0, 985.96, 971.35, 956.13, 940.27, 923.72, 906.43, 888.36, 869.45, 849.65, 828.88, 807.07, 784.15, 760.02, 734.6,
  707.76, 679.4, 649.37, 617.53, 583.7, 547.7, 509.31, 468.28, 424.33, 377.13, 326.32, 271.45, 212.04, 147.48, 77.08,
];
const TABLE_360P_EXACT = [
  1000.0, 990.59, 980.71, 970.31, 959.35, 947.79, 935.58, 922.66, 908.97, 894.43, 878.96, 862.48, 844.87, 826.03, 805.81,
  784.06, 760.6, 735.21, 707.65, 677.64, 644.82, 608.78, 569.03, 524.95, 475.82, 420.69, 358.4, 287.46, 205.94, 111.27,
];
const TABLE_360P_BF16 = [
  1000.0, 990.58, 980.68, 970.26, 959.29, 947.71, 935.48, 922.54, 908.83, 894.27, 878.79, 862.28, 844.66, 825.8, 805.56,
  783.78, 760.3, 734.89, 707.32, 677.28, 644.44, 608.39, 568.63, 524.55, 475.41, 420.29, 358.02, 287.13, 205.67, 111.11,
];

function expectTable(actual: Float64Array, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `t'[${i}] = ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('timestepShiftFactor', () => {
  it('matches the Open-Sora 1.2 exact r values (docs/open-sora.md §Schedule)', () => {
    const cases: [number, number, number, number][] = [
      [240, 426, 51, 2.418723],
      [360, 640, 51, 3.630922],
      [720, 1280, 51, 7.261844],
      [144, 256, 51, 1.45237],
      [480, 854, 51, 4.84312],
      [240, 426, 102, 3.42059],
      [240, 426, 1, 0.62451],
    ];
    for (const [heightPx, widthPx, numFrames, r] of cases) {
      expect(timestepShiftFactor(OPEN_SORA, { heightPx, widthPx, numFrames })).toBeCloseTo(r, 4);
    }
  });

  it('uses whole VAE chunks of pixel frames: 68 frames → 20 latent frames, 67 → 15', () => {
    const clip = { heightPx: 256, widthPx: 256 };
    expect(timestepShiftFactor(OPEN_SORA, { ...clip, numFrames: 68 })).toBeCloseTo(0.5 * Math.sqrt(20), 12);
    expect(timestepShiftFactor(OPEN_SORA, { ...clip, numFrames: 67 })).toBeCloseTo(0.5 * Math.sqrt(15), 12);
  });

  it('is 1 for none and the shift for fixed', () => {
    const clip = { heightPx: 240, widthPx: 426, numFrames: 51 };
    expect(timestepShiftFactor({ kind: 'none' }, clip)).toBe(1);
    expect(timestepShiftFactor({ kind: 'fixed', shift: 3 }, clip)).toBe(3);
  });

  it('rejects a clip shorter than one VAE chunk, naming the frame count', () => {
    expect(() => timestepShiftFactor(OPEN_SORA, { heightPx: 240, widthPx: 426, numFrames: 16 })).toThrow(/numFrames 16/);
    expect(() => timestepShiftFactor({ kind: 'fixed', shift: 0 }, { heightPx: 1, widthPx: 1, numFrames: 1 })).toThrow(
      /shift/,
    );
  });
});

describe('computeTimesteps', () => {
  it.each([
    { name: '240p', heightPx: 240, widthPx: 426, r: 2.418723, table: TABLE_240P_EXACT },
    { name: '360p', heightPx: 360, widthPx: 640, r: 3.630922, table: TABLE_360P_EXACT },
  ])('equals the $name 51-frame reference table (exact r = $r) to 1e-2', ({ heightPx, widthPx, table }) => {
    const ts = computeTimesteps({ steps: 30, numTimesteps: 1000, transform: OPEN_SORA, clip: { heightPx, widthPx, numFrames: 51 } });
    expectTable(ts, table, 1e-2);
  });

  it('reproduces the bf16-rounded official tables with a fixed shift', () => {
    const clip = { heightPx: 240, widthPx: 426, numFrames: 51 };
    const bf16 = (shift: number): Float64Array =>
      computeTimesteps({ steps: 30, numTimesteps: 1000, transform: { kind: 'fixed', shift }, clip });
    expectTable(bf16(2.421875), TABLE_240P_BF16, 1e-2);
    expectTable(bf16(3.625), TABLE_360P_BF16, 1e-2);
  });

  it("equals the On-device Sora paper's warped schedules (integer base timesteps) to 0.05", () => {
    const columns = [0, 5, 10, 14, 15, 20, 25, 29];
    const rows: { clip: { heightPx: number; widthPx: number; numFrames: number }; values: number[] }[] = [
      { clip: { heightPx: 256, widthPx: 256, numFrames: 68 }, values: [1000, 917.7, 817.5, 718.5, 691.0, 527.5, 309.5, 70.9] },
      // The iOS app's hard-coded sqrt(15) frame term equals a 51-frame clip.
      { clip: { heightPx: 256, widthPx: 256, numFrames: 51 }, values: [1000, 906.2, 795.0, 688.5, 659.5, 491.6, 279.7, 62.0] },
      { clip: { heightPx: 192, widthPx: 192, numFrames: 68 }, values: [1000, 893.2, 770.6, 656.8, 626.5, 455.7, 251.6, 54.1] },
    ];
    for (const { clip, values } of rows) {
      const ts = computeTimesteps({ steps: 30, numTimesteps: 1000, transform: OPEN_SORA, clip, baseTimesteps: 'integer' });
      columns.forEach((i, column) => {
        expect(Math.abs(ts[i] - values[column]), `step ${i}`).toBeLessThanOrEqual(0.05);
      });
    }
  });

  it('is linear for none and rounds exact halves to even in integer mode', () => {
    const clip = { heightPx: 1, widthPx: 1, numFrames: 1 };
    expect(Array.from(computeTimesteps({ steps: 4, numTimesteps: 1000, transform: { kind: 'none' }, clip }))).toEqual([
      1000, 750, 500, 250,
    ]);
    // (1 − 1/16)·1000 = 937.5 → 938 and (1 − 3/16)·1000 = 812.5 → 812 with Python's round.
    const integer = computeTimesteps({ steps: 16, numTimesteps: 1000, transform: { kind: 'none' }, clip, baseTimesteps: 'integer' });
    expect(integer[1]).toBe(938);
    expect(integer[3]).toBe(812);
  });

  it('rejects a non-positive or fractional step count', () => {
    const base = { numTimesteps: 1000, transform: { kind: 'none' } as const, clip: { heightPx: 1, widthPx: 1, numFrames: 1 } };
    expect(() => computeTimesteps({ ...base, steps: 0 })).toThrow(/steps must be a positive integer, got 0/);
    expect(() => computeTimesteps({ ...base, steps: 2.5 })).toThrow(/2\.5/);
  });
});

describe('step sizes', () => {
  const ts = computeTimesteps({
    steps: 30,
    numTimesteps: 1000,
    transform: OPEN_SORA,
    clip: { heightPx: 240, widthPx: 426, numFrames: 51 },
  });

  it('are successive differences and the last step integrates to 0', () => {
    const dt = eulerStepSizes(ts, 1000);
    expect(dt[0]).toBeCloseTo((ts[0] - ts[1]) / 1000, 15);
    expect(dt[29]).toBeCloseTo(ts[29] / 1000, 15);
    const total = dt.reduce((sum, value) => sum + value, 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it('noise level at a step is t/T and validates the index', () => {
    expect(noiseLevelAt(ts, 15, 1000)).toBeCloseTo(ts[15] / 1000, 15);
    expect(() => noiseLevelAt(ts, 30, 1000)).toThrow(/stepIndex 30 is outside \[0, 29\]/);
  });

  it('shiftTimestep keeps both ends fixed', () => {
    expect(shiftTimestep(1000, 3, 1000)).toBe(1000);
    expect(shiftTimestep(0, 3, 1000)).toBe(0);
  });
});

describe('roundHalfToEven', () => {
  it('matches Python round()', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, 937.5, 812.5].map(roundHalfToEven)).toEqual([
      0, 2, 2, 0, -2, 2, 3, 938, 812,
    ]);
  });
});
