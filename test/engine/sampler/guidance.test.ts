import { describe, expect, it } from 'vitest';
import {
  combineGuidedVelocityInto,
  estimateCleanLatentInto,
  eulerStepInPlace,
  leapToDataInPlace,
} from '../../../src/main/engine/sampler/guidance';
import type { LatentShape } from '../../../src/main/engine/sampler/types';

// [C, T, H, W] = [4, 2, 1, 3] → 24 velocity values; model output [2, 8, 2, 1, 3] → 96 values.
const SHAPE: LatentShape = { channels: 4, frames: 2, height: 1, width: 3 };
const VOLUME = 2 * 1 * 3;

function modelOutputFixture(): Float32Array {
  const out = new Float32Array(2 * 8 * VOLUME);
  for (let i = 0; i < out.length; i++) {
    const batch = Math.floor(i / (8 * VOLUME));
    const channel = Math.floor(i / VOLUME) % 8;
    // Sigma channels (4..7) hold a huge sentinel so reading them by mistake shows up.
    out[i] = channel >= 4 ? 1e6 : batch === 0 ? 0.25 * (i % 13) : 0.5 * (i % 7) - 1.5;
  }
  return out;
}

describe('combineGuidedVelocityInto', () => {
  it('computes v_u + s·(v_c − v_u) on the first latentChannels channels only', () => {
    const output = modelOutputFixture();
    const guided = new Float32Array(24);
    const returned = combineGuidedVelocityInto(guided, output, SHAPE, { cfgScale: 7, modelOutputChannels: 8 });
    expect(returned).toBe(guided);
    for (let c = 0; c < 4; c++) {
      for (let s = 0; s < VOLUME; s++) {
        const vc = output[c * VOLUME + s];
        const vu = output[8 * VOLUME + c * VOLUME + s];
        expect(guided[c * VOLUME + s]).toBe(Math.fround(vu + 7 * (vc - vu)));
        expect(Math.abs(guided[c * VOLUME + s])).toBeLessThan(1e3);
      }
    }
  });

  it('gives the conditional velocity at s = 1 and the unconditional at s = 0', () => {
    const output = modelOutputFixture();
    const guided = new Float32Array(24);
    combineGuidedVelocityInto(guided, output, SHAPE, { cfgScale: 1, modelOutputChannels: 8 });
    expect(Array.from(guided)).toEqual(Array.from(output.subarray(0, 24)));
    combineGuidedVelocityInto(guided, output, SHAPE, { cfgScale: 0, modelOutputChannels: 8 });
    expect(Array.from(guided)).toEqual(Array.from(output.subarray(8 * VOLUME, 8 * VOLUME + 24)));
  });

  it('rejects mismatched sizes with the expected layout in the message', () => {
    const guided = new Float32Array(24);
    expect(() =>
      combineGuidedVelocityInto(guided, new Float32Array(95), SHAPE, { cfgScale: 7, modelOutputChannels: 8 }),
    ).toThrow(/model output has 95 elements, expected 96 for \[2, 8, 2, 1, 3\]/);
    expect(() =>
      combineGuidedVelocityInto(new Float32Array(23), modelOutputFixture(), SHAPE, { cfgScale: 7, modelOutputChannels: 8 }),
    ).toThrow(/23 elements, expected 24/);
    expect(() =>
      combineGuidedVelocityInto(guided, modelOutputFixture(), SHAPE, { cfgScale: 7, modelOutputChannels: 3 }),
    ).toThrow(/modelOutputChannels 3/);
  });
});

describe('Euler, leap and x0 estimate', () => {
  it('Euler step adds dt·v in place', () => {
    const z = Float32Array.from([1, -2, 0.5]);
    const v = Float32Array.from([0.5, 1, -4]);
    eulerStepInPlace(z, v, 0.25);
    expect(Array.from(z)).toEqual([1.125, -1.75, -0.5]);
  });

  it('leap equals the hand-computed z_n + τ_n·v̂_n', () => {
    // τ_15 for 256², 68 frames (paper table): t'_15 = 690.98… → τ = 0.69098…
    const tau = 0.6909830056250525;
    const z = Float32Array.from([0.3, -1.2, 2.0, 0]);
    const v = Float32Array.from([-1, 0.5, 0.25, 3]);
    const f = Math.fround;
    const expected = [f(0.3) - tau, f(-1.2) + 0.5 * tau, 2.0 + 0.25 * tau, 3 * tau].map(f);
    expect(Array.from(leapToDataInPlace(z, v, tau))).toEqual(expected);
  });

  it('x0 estimate leaves z untouched and equals the leap', () => {
    const z = Float32Array.from([0.3, -1.2]);
    const v = Float32Array.from([-1, 0.5]);
    const x0 = estimateCleanLatentInto(new Float32Array(2), z, v, 0.4);
    expect(Array.from(z)).toEqual([Math.fround(0.3), Math.fround(-1.2)]);
    expect(Array.from(x0)).toEqual(Array.from(leapToDataInPlace(Float32Array.from(z), v, 0.4)));
  });

  it('a uniform schedule of Euler steps equals the leap when v is constant', () => {
    const v = Float32Array.from([0.5, -0.25]);
    const stepped = Float32Array.from([1, 1]);
    for (let i = 0; i < 4; i++) {
      eulerStepInPlace(stepped, v, 0.25);
    }
    expect(Array.from(stepped)).toEqual(Array.from(leapToDataInPlace(Float32Array.from([1, 1]), v, 1)));
  });

  it('rejects length mismatches and non-finite step sizes', () => {
    expect(() => eulerStepInPlace(new Float32Array(3), new Float32Array(2), 0.1)).toThrow(/latent has 3 elements but velocity has 2/);
    expect(() => eulerStepInPlace(new Float32Array(2), new Float32Array(2), Number.NaN)).toThrow(/finite/);
  });
});
