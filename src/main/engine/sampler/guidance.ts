import type { LatentShape } from './types';
import { assertLatentLength, latentElementCount } from './types';

/**
 * Classifier-free guidance and the rectified-flow updates (docs/open-sora.md §Sampler; the leap: docs/techniques.md §LPL).
 * All arithmetic is done in float64 and rounded once on store into the float32 arrays.
 */

export interface GuidanceOptions {
  /** CFG scale s; 7.0 for Open-Sora 1.2. s = 1 returns the conditional velocity, s = 0 the unconditional one. */
  readonly cfgScale: number;
  /**
   * Channels of the model output (8 for STDiT3). Only the first `latentShape.channels` are the velocity;
   * the rest are the unused sigma head.
   */
  readonly modelOutputChannels: number;
}

/**
 * Writes the guided velocity v̂ = v_u + s·(v_c − v_u) into `out`.
 *
 * @param out [C, T, H, W] float32, C = latentShape.channels (preallocated, overwritten).
 * @param modelOutput [2, modelOutputChannels, T, H, W] float32: batch 0 conditional, batch 1 unconditional.
 * @returns `out`.
 */
export function combineGuidedVelocityInto(
  out: Float32Array,
  modelOutput: Float32Array,
  latentShape: LatentShape,
  options: GuidanceOptions,
): Float32Array {
  const { cfgScale, modelOutputChannels } = options;
  if (!Number.isFinite(cfgScale)) {
    throw new RangeError(`cfgScale must be finite, got ${cfgScale}`);
  }
  if (!Number.isInteger(modelOutputChannels) || modelOutputChannels < latentShape.channels) {
    throw new RangeError(
      `modelOutputChannels ${modelOutputChannels} must be an integer ≥ latent channels ${latentShape.channels}`,
    );
  }
  assertLatentLength('guided velocity (out)', out.length, latentShape);
  const volume = latentShape.frames * latentShape.height * latentShape.width;
  const expectedOutput = 2 * modelOutputChannels * volume;
  if (modelOutput.length !== expectedOutput) {
    throw new RangeError(
      `model output has ${modelOutput.length} elements, expected ${expectedOutput} for [2, ${modelOutputChannels}, ` +
        `${latentShape.frames}, ${latentShape.height}, ${latentShape.width}]`,
    );
  }
  // Velocity channels of batch 0 and batch 1 are each one contiguous run because C is the outer axis.
  const velocityLength = latentElementCount(latentShape);
  const unconditionalOffset = modelOutputChannels * volume;
  for (let i = 0; i < velocityLength; i++) {
    const conditional = modelOutput[i];
    const unconditional = modelOutput[unconditionalOffset + i];
    out[i] = unconditional + cfgScale * (conditional - unconditional);
  }
  return out;
}

/**
 * Euler step in place: z ← z + dτ·v̂ (dτ from `eulerStepSizes`, positive, moving from noise to data).
 * @param latent [C, T, H, W] float32, updated in place.
 * @param velocity [C, T, H, W] float32, guided velocity v̂.
 */
export function eulerStepInPlace(latent: Float32Array, velocity: Float32Array, stepSize: number): Float32Array {
  return addScaledInPlace(latent, velocity, stepSize);
}

/**
 * LPL leap in place: z_final = z_n + τ_n·v̂_n, one jump from noise level τ_n straight to data, using the
 * warped τ_n = t'_n/T (docs/techniques.md §LPL and §Decisions, D3).
 * @param latent [C, T, H, W] float32, updated in place; afterwards it is the final latent.
 */
export function leapToDataInPlace(latent: Float32Array, velocity: Float32Array, noiseLevel: number): Float32Array {
  return addScaledInPlace(latent, velocity, noiseLevel);
}

/**
 * One-shot data estimate x̂0 = z + τ·v̂ into `out`, leaving z untouched (used for previews).
 * @param out [C, T, H, W] float32 (may not alias `latent` unless a leap is intended).
 */
export function estimateCleanLatentInto(
  out: Float32Array,
  latent: Float32Array,
  velocity: Float32Array,
  noiseLevel: number,
): Float32Array {
  assertSameLength('latent', latent, 'velocity', velocity);
  assertSameLength('out', out, 'latent', latent);
  for (let i = 0; i < latent.length; i++) {
    out[i] = latent[i] + noiseLevel * velocity[i];
  }
  return out;
}

function addScaledInPlace(target: Float32Array, direction: Float32Array, amount: number): Float32Array {
  if (!Number.isFinite(amount)) {
    throw new RangeError(`step size must be finite, got ${amount}`);
  }
  assertSameLength('latent', target, 'velocity', direction);
  for (let i = 0; i < target.length; i++) {
    target[i] = target[i] + amount * direction[i];
  }
  return target;
}

function assertSameLength(nameA: string, a: Float32Array, nameB: string, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new RangeError(`${nameA} has ${a.length} elements but ${nameB} has ${b.length}`);
  }
}
