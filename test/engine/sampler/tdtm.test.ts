import { describe, expect, it } from 'vitest';
import {
  isMergedStep,
  mergeTemporalPairsInto,
  mergedFrameCount,
  unmergeTemporalPairsInto,
  validateMergedSteps,
} from '../../../src/main/engine/sampler/tdtm';
import type { TokenGridShape } from '../../../src/main/engine/sampler/tdtm';

/** [B, T, S, C] with value = 1000·b + 100·t + 10·s + c, so every element names its position. */
function grid(shape: TokenGridShape): Float32Array {
  const out = new Float32Array(shape.batch * shape.frames * shape.tokensPerFrame * shape.channels);
  let i = 0;
  for (let b = 0; b < shape.batch; b++) {
    for (let t = 0; t < shape.frames; t++) {
      for (let s = 0; s < shape.tokensPerFrame; s++) {
        for (let c = 0; c < shape.channels; c++) {
          out[i++] = 1000 * b + 100 * t + 10 * s + c;
        }
      }
    }
  }
  return out;
}

function at(data: Float32Array, shape: { frames: number; tokensPerFrame: number; channels: number }, b: number, t: number, s: number, c: number): number {
  return data[((b * shape.frames + t) * shape.tokensPerFrame + s) * shape.channels + c];
}

describe('TDTM merge / unmerge', () => {
  it('even T: averages pairs (0,1), (2,3), … and unmerges by copying to both frames', () => {
    const shape: TokenGridShape = { batch: 2, frames: 4, tokensPerFrame: 3, channels: 2 };
    const tokens = grid(shape);
    const merged = mergeTemporalPairsInto(new Float32Array(2 * 2 * 3 * 2), tokens, shape);
    const mergedShape = { ...shape, frames: 2 };
    for (let b = 0; b < 2; b++) {
      for (let k = 0; k < 2; k++) {
        for (let s = 0; s < 3; s++) {
          for (let c = 0; c < 2; c++) {
            // mean of frames 2k and 2k+1 → 100·(2k + 0.5)
            expect(at(merged, mergedShape, b, k, s, c)).toBe(1000 * b + 100 * (2 * k + 0.5) + 10 * s + c);
          }
        }
      }
    }
    const restored = unmergeTemporalPairsInto(new Float32Array(tokens.length), merged, shape);
    for (let t = 0; t < 4; t++) {
      expect(at(restored, shape, 1, t, 2, 1)).toBe(at(merged, mergedShape, 1, t >> 1, 2, 1));
    }
  });

  it('odd T: the last frame is its own group and comes back exactly', () => {
    const shape: TokenGridShape = { batch: 1, frames: 5, tokensPerFrame: 2, channels: 3 };
    expect(mergedFrameCount(5)).toBe(3);
    const tokens = grid(shape);
    const merged = mergeTemporalPairsInto(new Float32Array(3 * 2 * 3), tokens, shape);
    const mergedShape = { ...shape, frames: 3 };
    expect(at(merged, mergedShape, 0, 0, 1, 2)).toBe(50 + 10 + 2);
    expect(at(merged, mergedShape, 0, 1, 0, 0)).toBe(250);
    expect(at(merged, mergedShape, 0, 2, 1, 1)).toBe(400 + 10 + 1);
    const restored = unmergeTemporalPairsInto(new Float32Array(tokens.length), merged, shape);
    expect(Array.from(restored.subarray(4 * 6))).toEqual(Array.from(tokens.subarray(4 * 6)));
    expect(at(restored, shape, 0, 3, 0, 0)).toBe(250);
  });

  it('merge then unmerge is the identity when paired frames are equal', () => {
    const shape: TokenGridShape = { batch: 1, frames: 7, tokensPerFrame: 2, channels: 2 };
    const tokens = new Float32Array(7 * 4);
    for (let t = 0; t < 7; t++) {
      tokens.fill(Math.fround(0.1 * (t >> 1) - 0.3), t * 4, (t + 1) * 4);
    }
    const merged = mergeTemporalPairsInto(new Float32Array(4 * 4), tokens, shape);
    expect(Array.from(unmergeTemporalPairsInto(new Float32Array(tokens.length), merged, shape))).toEqual(Array.from(tokens));
  });

  it('T = 1 is a single group', () => {
    const shape: TokenGridShape = { batch: 1, frames: 1, tokensPerFrame: 1, channels: 2 };
    const tokens = Float32Array.from([3, 4]);
    expect(Array.from(mergeTemporalPairsInto(new Float32Array(2), tokens, shape))).toEqual([3, 4]);
  });

  it('rejects wrongly sized buffers', () => {
    const shape: TokenGridShape = { batch: 1, frames: 4, tokensPerFrame: 1, channels: 1 };
    expect(() => mergeTemporalPairsInto(new Float32Array(3), new Float32Array(4), shape)).toThrow(/merged output has 3 elements, expected 2/);
    expect(() => unmergeTemporalPairsInto(new Float32Array(4), new Float32Array(3), shape)).toThrow(/merged tokens has 3 elements, expected 2/);
  });
});

describe('TDTM steps', () => {
  it('merges only steps i < m', () => {
    const merged = Array.from({ length: 30 }, (_, i) => isMergedStep(i, 15));
    expect(merged.filter(Boolean).length).toBe(15);
    expect(merged[14]).toBe(true);
    expect(merged[15]).toBe(false);
    expect(isMergedStep(0, 0)).toBe(false);
    expect(isMergedStep(29, 30)).toBe(true);
  });

  it('validates 0 ≤ m ≤ K', () => {
    expect(() => validateMergedSteps(31, 30)).toThrow(/mergedSteps 31 is outside \[0, 30\]/);
    expect(() => validateMergedSteps(-1, 30)).toThrow(/mergedSteps -1/);
    expect(() => validateMergedSteps(30, 30)).not.toThrow();
    expect(() => validateMergedSteps(0, 30)).not.toThrow();
  });
});
