import { describe, expect, it } from 'vitest';
import { latentToRgbaFrames } from '../../../src/main/engine/sampler/preview';
import type { LatentShape } from '../../../src/main/engine/sampler/types';

describe('latent preview', () => {
  // [C, T, H, W] = [2, 2, 1, 2]
  const shape: LatentShape = { channels: 2, frames: 2, height: 1, width: 2 };
  const projection = {
    factors: [
      [1, 0, 0.5],
      [0, 1, -0.5],
    ] as [number, number, number][],
    bias: [0, -0.5, 0] as [number, number, number],
  };

  it('projects every frame with factors and bias, mapping [-1, 1] to 0…255', () => {
    // channel 0: frame 0 = [0, 1], frame 1 = [-1, 0.5]; channel 1: frame 0 = [0.5, 0], frame 1 = [2, -1]
    const latent = Float32Array.from([0, 1, -1, 0.5, 0.5, 0, 2, -1]);
    const frames = latentToRgbaFrames(latent, shape, projection);
    expect(frames.length).toBe(2);
    const rgb = (r: number, g: number, b: number): number[] =>
      [r, g, b].map((x) => Math.min(255, Math.max(0, Math.round((x + 1) * 127.5))));
    // frame 0 pixel 0: r = 0, g = −0.5 + 0.5 = 0, b = 0 − 0.25 = −0.25
    expect(Array.from(frames[0].subarray(0, 4))).toEqual([...rgb(0, 0, -0.25), 255]);
    // frame 0 pixel 1: r = 1, g = −0.5, b = 0.5
    expect(Array.from(frames[0].subarray(4, 8))).toEqual([...rgb(1, -0.5, 0.5), 255]);
    // frame 1 pixel 0: r = −1, g = 1.5 → clamps to 255, b = −0.5 − 1 = −1.5 → 0
    expect(Array.from(frames[1].subarray(0, 4))).toEqual([0, 255, 0, 255]);
    // frame 1 pixel 1: r = 0.5, g = −1.5 → 0, b = 0.25 + 0.5 = 0.75
    expect(Array.from(frames[1].subarray(4, 8))).toEqual([...rgb(0.5, -1.5, 0.75), 255]);
  });

  it('rejects a factor table that does not match the channel count', () => {
    expect(() => latentToRgbaFrames(new Float32Array(8), shape, { factors: [[1, 1, 1]], bias: [0, 0, 0] })).toThrow(
      /factors for 1 channels, latent has 2/,
    );
    expect(() => latentToRgbaFrames(new Float32Array(7), shape, projection)).toThrow(/7 elements, expected 8/);
  });
});
