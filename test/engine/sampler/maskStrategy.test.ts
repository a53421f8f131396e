import { describe, expect, it } from 'vitest';
import { createFrameConditioner } from '../../../src/main/engine/sampler/frameConditioning';
import { applyMaskStrategy, MASK_STRATEGY_DEFAULTS, parseMaskStrategy } from '../../../src/main/engine/sampler/maskStrategy';

const shape = { channels: 2, frames: 4, height: 1, width: 2 };
const plane = shape.height * shape.width;
/** Value of channel c, frame f, pixel p of a [C, T, H, W] latent. */
const at = (latent: Float32Array, c: number, f: number, p = 0): number => latent[(c * shape.frames + f) * plane + p];

describe('Open-Sora v1.2.0 mask strategy', () => {
  it('fills missing fields with v1.2.0\'s defaults 0,0,0,0,1,0 and reads every entry', () => {
    expect(parseMaskStrategy('')).toEqual([]);
    expect(parseMaskStrategy('0')).toEqual([MASK_STRATEGY_DEFAULTS]);
    expect(parseMaskStrategy('0,1,-2,3;1,0,0,5,2,0.25')).toEqual([
      { loop: 0, referenceIndex: 1, referenceStart: -2, targetStart: 3, length: 1, editRatio: 0 },
      { loop: 1, referenceIndex: 0, referenceStart: 0, targetStart: 5, length: 2, editRatio: 0.25 },
    ]);
  });

  it('refuses malformed entries, naming them', () => {
    expect(() => parseMaskStrategy('0,0,0,0,1,0,9')).toThrow(/"0,0,0,0,1,0,9" must be 1 to 6/);
    expect(() => parseMaskStrategy('0,x')).toThrow(/referenceIndex "x" is not an integer/);
    expect(() => parseMaskStrategy('0,0,0,0,1,1.5')).toThrow(/edit ratio 1.5 must be in \[0, 1\)/);
    expect(() => parseMaskStrategy('0,0,0,0,0')).toThrow(/length ≥ 1/);
  });

  it('places reference frames (negative starts from the end, lengths clipped, other loops skipped) and returns the per-frame mask', () => {
    const latent = new Float32Array(16).fill(9);
    const reference = { latent: Float32Array.from({ length: 2 * 3 * plane }, (_, i) => i), frames: 3 };
    const { mask, placed } = applyMaskStrategy(latent, shape, [reference], parseMaskStrategy('0,0,-1,0;0,0,0,-2,5,0.5;1,0,0,1'));
    expect(Array.from(mask)).toEqual([0, 1, 0.5, 0.5]);
    expect(placed.map((run) => [run.referenceStart, run.targetStart, run.length])).toEqual([[2, 0, 1], [0, 2, 2]]);
    expect([at(latent, 0, 0), at(latent, 1, 0), at(latent, 0, 1), at(latent, 0, 2), at(latent, 0, 3), at(latent, 1, 3)]).toEqual([4, 10, 9, 0, 2, 8]);
    expect(() => applyMaskStrategy(latent, shape, [reference], parseMaskStrategy('0,1'))).toThrow(/reference 1, but 1 reference/);
    expect(() => applyMaskStrategy(latent, shape, [reference], parseMaskStrategy('0,0,0,4'))).toThrow(/target start 4 \(of 4\)/);
  });
});

describe('reference frames during sampling (v1.2.0 RFLOW.sample with a mask)', () => {
  const mask = Float32Array.from([0, 1, 0.5, 1]);
  const editNoise = new Float32Array(16).fill(10);

  it('puts reference frames back after every step, noises an edit-ratio frame once when t first falls to r·T, never an r = 0 frame', () => {
    const conditioner = createFrameConditioner(shape, mask, 1000, editNoise);
    const latent = new Float32Array(16).fill(1);
    const first = conditioner.beginStep(latent, 1000);
    expect(Array.from(first.generate)).toEqual([0, 1, 0, 1]);
    expect(latent.every((v) => v === 1)).toBe(true); // nothing noised yet: generated frames start as the seed's noise
    latent.fill(3); // the Euler step moved every frame
    conditioner.endStep(latent, first);
    expect([at(latent, 0, 0), at(latent, 1, 1), at(latent, 1, 2), at(latent, 0, 3)]).toEqual([1, 3, 1, 3]);

    const second = conditioner.beginStep(latent, 600); // 600 > 500: the edit frame is still a reference
    expect(Array.from(second.generate)).toEqual([0, 1, 0, 1]);
    conditioner.endStep(latent, second);

    const third = conditioner.beginStep(latent, 500); // 500 ≤ 0.5·1000: noised once, (1 − 0.5)·1 + 0.5·10
    expect(Array.from(third.generate)).toEqual([0, 1, 1, 1]);
    expect([at(latent, 0, 2), at(latent, 1, 2, 1), at(latent, 0, 0)]).toEqual([5.5, 5.5, 1]);
    latent.fill(7);
    conditioner.endStep(latent, third);
    expect([at(latent, 0, 0), at(latent, 0, 2)]).toEqual([1, 7]);

    const fourth = conditioner.beginStep(latent, 200); // already noised: not again
    expect(at(latent, 0, 2)).toBe(7);
    expect(Array.from(fourth.generate)).toEqual([0, 1, 1, 1]);
  });
});
