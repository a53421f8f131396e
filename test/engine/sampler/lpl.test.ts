import { describe, expect, it } from 'vitest';
import {
  cosineSimilarityFullLatent,
  cosineSimilarityPaperSlice,
  meanRowCosine,
} from '../../../src/main/engine/sampler/cosine';
import type { LplObservation, LplPolicy } from '../../../src/main/engine/sampler/lpl';
import {
  DEFAULT_DYNAMIC_LPL_POLICY,
  createLplController,
  defaultFixedLplPolicy,
  validateLplPolicy,
} from '../../../src/main/engine/sampler/lpl';
import type { LatentShape } from '../../../src/main/engine/sampler/types';
import { DYNAMIC_LPL_DEFAULTS, plannedModelCalls } from '../../../src/shared/domain/lpl';
import { lplSettingSchema } from '../../../src/shared/domain/generation';

const K = 30;
// [C, T, H, W] = [2, 2, 2, 2]; the paper slice is elements 0..3 (channel 0, frame 0), rows [0,1] and [2,3].
const SHAPE: LatentShape = { channels: 2, frames: 2, height: 2, width: 2 };
const LENGTH = 16;

function dynamicPolicy(compare: 'full-latent' | 'paper-slice'): LplPolicy {
  return { kind: 'dynamic', minimumStep: 14, tolerance: 1e-3, patience: 3, compare };
}

/**
 * Writes a velocity whose consecutive-step cosine is prescribed, into one reused buffer (as the engine does).
 * Every row of the slice and the rest of the tensor lie in rotating 2D planes: angle θ_i = θ_{i−1} + acos(c_i),
 * so the cosine between steps i−1 and i is exactly c_i for the slice rows and for the rest.
 */
function makeVelocityWriter(options: { sliceCosines: readonly number[]; restCosines: readonly number[]; sliceScale: number }) {
  const buffer = new Float32Array(LENGTH);
  let sliceAngle = 0;
  let restAngle = 0.3;
  return (step: number): Float32Array => {
    if (step > 0) {
      sliceAngle += Math.acos(options.sliceCosines[step]);
      restAngle += Math.acos(options.restCosines[step]);
    }
    const s = options.sliceScale;
    buffer.set([s * Math.cos(sliceAngle), s * Math.sin(sliceAngle), s * Math.cos(sliceAngle), s * Math.sin(sliceAngle)], 0);
    for (let i = 4; i < LENGTH; i += 2) {
      buffer[i] = Math.cos(restAngle);
      buffer[i + 1] = Math.sin(restAngle);
    }
    return buffer;
  };
}

/** Runs the sampler loop shape: one model call per observed step, stop on leap. */
function simulate(policy: LplPolicy, cosines: readonly number[], finishBefore?: number) {
  const controller = createLplController(policy, K);
  const write = makeVelocityWriter({ sliceCosines: cosines, restCosines: cosines, sliceScale: 1 });
  const observations: LplObservation[] = [];
  let calls = 0;
  for (let i = 0; i < K; i++) {
    if (finishBefore === i) {
      controller.requestFinish();
    }
    calls += 1;
    const observation = controller.observe(i, write(i), SHAPE);
    observations.push(observation);
    if (observation.leapNow) {
      return { calls, leapStep: i, observations, controller };
    }
  }
  return { calls, leapStep: undefined, observations, controller };
}

/** Cosine sequence indexed by step: `early` before step 14, then `fromMinimum` from step 14 on. */
function sequence(early: number, fromMinimum: readonly number[]): number[] {
  const values: number[] = [];
  for (let i = 0; i < K; i++) {
    values.push(i < 14 ? early : (fromMinimum[i - 14] ?? fromMinimum[fromMinimum.length - 1]));
  }
  return values;
}

describe('cosine similarity', () => {
  it('full latent: dot / (|a|·|b|) over everything', () => {
    const a = Float32Array.from([1, 2, 2, 0]);
    const b = Float32Array.from([2, 0, 1, 2]);
    expect(cosineSimilarityFullLatent(a, b)).toBeCloseTo(4 / (3 * 3), 12);
    expect(cosineSimilarityFullLatent(new Float32Array(4), new Float32Array(4))).toBe(0);
  });

  it('paper slice: channel 0, frame 0, row-wise along W, mean over rows', () => {
    const a = new Float32Array(LENGTH).fill(5);
    const b = new Float32Array(LENGTH).fill(-5); // outside the slice: ignored
    a.set([1, 0, 0, 1]);
    b.set([1, 1, 0, 1]);
    expect(cosineSimilarityPaperSlice(a, b, SHAPE)).toBeCloseTo((Math.SQRT1_2 + 1) / 2, 12);
    expect(meanRowCosine(a, b, 2, 2)).toBeCloseTo((Math.SQRT1_2 + 1) / 2, 12);
    expect(() => cosineSimilarityPaperSlice(a.subarray(1), b, SHAPE)).toThrow(/15 elements, expected 16/);
  });
});

describe('dynamic LPL (reference rule, 14 / 1e-3 / 3)', () => {
  it('fires at the earliest possible step, 17 (18 model calls), when the cosine stops improving at 14', () => {
    const run = simulate(DEFAULT_DYNAMIC_LPL_POLICY, sequence(0.5, [0.9]));
    expect(run.leapStep).toBe(17);
    expect(run.calls).toBe(18);
    expect(run.observations[17]).toMatchObject({ leapNow: true, reason: 'dynamic' });
    expect(run.observations[13].cosine).toBeUndefined();
    expect(run.observations[14].cosine).toBeCloseTo(0.9, 6);
  });

  it('never fires while the cosine keeps improving by more than the tolerance', () => {
    const cosines = Array.from({ length: K }, (_, i) => 0.5 + 0.015 * i);
    const run = simulate(DEFAULT_DYNAMIC_LPL_POLICY, cosines);
    expect(run.leapStep).toBeUndefined();
    expect(run.calls).toBe(K);
    expect(run.controller.dynamicState().patienceLeft).toBe(3);
  });

  it('an improvement resets patience; a gain ≤ tolerance does not', () => {
    // 14: best 0.9 (p 3); 15: 0.9 (p 2); 16: 0.95 > 0.901 (p 3); 17, 18: 0.9505 ≤ 0.951 (p 2, 1); 19: p 0 → leap.
    const run = simulate(DEFAULT_DYNAMIC_LPL_POLICY, sequence(0.5, [0.9, 0.9, 0.95, 0.9505, 0.9505, 0.9505]));
    expect(run.leapStep).toBe(19);
    expect(run.calls).toBe(20);
  });

  it('ignores cosines before minimumStep', () => {
    const cosines = sequence(0.999, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.96, 0.97, 0.98, 0.99, 0.995]);
    expect(simulate(DEFAULT_DYNAMIC_LPL_POLICY, cosines).leapStep).toBeUndefined();
  });

  it('follows the reference rule literally when the first score is not above 1e-3: leap at 16', () => {
    // best_cos starts at 0, so a non-positive first score already spends patience at step 14.
    expect(simulate(DEFAULT_DYNAMIC_LPL_POLICY, sequence(0.5, [0])).leapStep).toBe(16);
  });

  it('paper-slice and full-latent compare different tensors', () => {
    // The slice stops improving at 14; the rest of the latent keeps improving and dominates the full score.
    const sliceCosines = sequence(0.5, [0.9]);
    const restCosines = Array.from({ length: K }, (_, i) => 0.5 + 0.015 * i);
    const run = (compare: 'full-latent' | 'paper-slice'): number | undefined => {
      const controller = createLplController(dynamicPolicy(compare), K);
      const write = makeVelocityWriter({ sliceCosines, restCosines, sliceScale: 1e-3 });
      for (let i = 0; i < K; i++) {
        if (controller.observe(i, write(i), SHAPE).leapNow) {
          return i;
        }
      }
      return undefined;
    };
    expect(run('paper-slice')).toBe(17);
    expect(run('full-latent')).toBeUndefined();
  });
});

describe('fixed LPL and finish requests', () => {
  it('fixed leap at n gives n + 1 model calls', () => {
    for (const n of [1, 10, 15, 29]) {
      const run = simulate({ kind: 'fixed', leapStep: n }, sequence(0.5, [0.5]));
      expect(run.leapStep).toBe(n);
      expect(run.calls).toBe(n + 1);
      expect(run.observations[n].reason).toBe('fixed');
      expect(plannedModelCalls({ kind: 'fixed', leapStep: n }, K)).toBe(n + 1);
    }
  });

  it("off runs all K steps; the paper's default fixed leap is ⌊K/2⌋", () => {
    expect(simulate({ kind: 'off' }, sequence(0.5, [0.5])).calls).toBe(K);
    expect(plannedModelCalls({ kind: 'off' }, K)).toBe(K);
    expect(plannedModelCalls(DEFAULT_DYNAMIC_LPL_POLICY, K)).toBeNull();
    expect(defaultFixedLplPolicy(30)).toEqual({ kind: 'fixed', leapStep: 15 });
  });

  it("the engine's dynamic default is the request schema's default (one definition)", () => {
    expect(DEFAULT_DYNAMIC_LPL_POLICY).toEqual({ kind: 'dynamic', ...DYNAMIC_LPL_DEFAULTS });
    expect(lplSettingSchema.parse({ kind: 'dynamic' })).toEqual(DEFAULT_DYNAMIC_LPL_POLICY);
    expect(DYNAMIC_LPL_DEFAULTS).toEqual({ minimumStep: 14, tolerance: 1e-3, patience: 3, compare: 'full-latent' });
  });

  it('"finish now" leaps at the next observed step, whatever the policy', () => {
    for (const policy of [{ kind: 'off' } as const, { kind: 'fixed', leapStep: 20 } as const, DEFAULT_DYNAMIC_LPL_POLICY]) {
      const run = simulate(policy, sequence(0.5, [0.9]), 5);
      expect(run.leapStep).toBe(5);
      expect(run.observations[5].reason).toBe('finish-request');
      expect(run.observations.slice(0, 5).every((o) => !o.leapNow)).toBe(true);
    }
  });
});

describe('LPL validation and misuse', () => {
  it('fixed leapStep must be in [1, K − 1]; the message names the value and range', () => {
    expect(() => validateLplPolicy({ kind: 'fixed', leapStep: 0 }, 30)).toThrow(/leapStep 0 is outside \[1, 29\]/);
    expect(() => createLplController({ kind: 'fixed', leapStep: 30 }, 30)).toThrow(/leapStep 30 is outside \[1, 29\]/);
    expect(() => validateLplPolicy({ kind: 'fixed', leapStep: 2.5 }, 30)).toThrow(/leapStep 2\.5/);
    expect(() => validateLplPolicy({ kind: 'fixed', leapStep: 29 }, 30)).not.toThrow();
  });

  it('rejects bad dynamic parameters', () => {
    const base = dynamicPolicy('full-latent');
    expect(() => validateLplPolicy({ ...base, minimumStep: 0 } as LplPolicy, 30)).toThrow(/minimumStep 0/);
    expect(() => validateLplPolicy({ ...base, patience: 0 } as LplPolicy, 30)).toThrow(/patience 0/);
    expect(() => validateLplPolicy({ ...base, tolerance: -1 } as LplPolicy, 30)).toThrow(/tolerance -1/);
  });

  it('steps must be observed in order, and not after a leap', () => {
    const controller = createLplController({ kind: 'fixed', leapStep: 1 }, 30);
    const v = new Float32Array(LENGTH);
    expect(() => controller.observe(1, v, SHAPE)).toThrow(/expected step 0, got 1/);
    controller.observe(0, v, SHAPE);
    expect(controller.observe(1, v, SHAPE).leapNow).toBe(true);
    expect(() => controller.observe(2, v, SHAPE)).toThrow(/already leapt at step 1/);
    expect(() => createLplController({ kind: 'off' }, 30).observe(0, new Float32Array(3), SHAPE)).toThrow(/3 elements/);
  });
});
