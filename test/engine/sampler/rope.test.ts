import { describe, expect, it } from 'vitest';
import { computeRopeTables } from '../../../src/main/engine/sampler/rope';

describe('RoPE tables', () => {
  it('interleaves: columns 2i and 2i+1 hold angle p·10000^(−2i/hd)', () => {
    // hd = 8 → f = [1, 0.1, 0.01, 0.001].
    const { cos, sin } = computeRopeTables({ positions: 3, headDim: 8 });
    expect(cos.length).toBe(24);
    expect(Array.from(cos.subarray(0, 8))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(sin.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const f = [1, 0.1, 0.01, 0.001];
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 4; i++) {
        for (const column of [2 * i, 2 * i + 1]) {
          expect(cos[p * 8 + column]).toBeCloseTo(Math.cos(p * f[i]), 7);
          expect(sin[p * 8 + column]).toBeCloseTo(Math.sin(p * f[i]), 7);
        }
      }
    }
    expect(sin[2 * 8 + 2]).toBe(Math.fround(Math.sin(0.2)));
  });

  it('STDiT3 size: hd 72, last frequency 10000^(−70/72)', () => {
    const { cos } = computeRopeTables({ positions: 20, headDim: 72 });
    expect(cos.length).toBe(20 * 72);
    expect(cos[19 * 72 + 71]).toBeCloseTo(Math.cos(19 * Math.pow(10000, -70 / 72)), 7);
  });

  it('rejects odd head dims and empty tables', () => {
    expect(() => computeRopeTables({ positions: 2, headDim: 7 })).toThrow(/headDim must be a positive even integer, got 7/);
    expect(() => computeRopeTables({ positions: 0, headDim: 8 })).toThrow(/positions/);
  });
});
