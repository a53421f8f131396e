import type { TimestepTransform } from '@shared/model/manifest';
import { roundHalfToEven } from './rounding';

/**
 * Rectified-flow timestep schedule (docs/open-sora.md §Schedule).
 *
 * Units: a *timestep* t is in [0, numTimesteps] (1000 = pure noise, 0 = data) and is what the model is fed.
 * A *noise level* τ = t / numTimesteps is in [0, 1]; step sizes are differences of noise levels, so the Euler
 * update is z += dτ·v̂.
 */

/** Pixel geometry of the clip being generated. The Open-Sora warp reads pixel sizes and pixel frames. */
export interface ClipGeometry {
  readonly heightPx: number;
  readonly widthPx: number;
  /** Pixel (video) frames, not latent frames; 1 means a single image. */
  readonly numFrames: number;
}

export interface TimestepScheduleOptions {
  /** Sampling steps K (30 for Open-Sora 1.2). */
  readonly steps: number;
  /** Training timesteps T (1000). */
  readonly numTimesteps: number;
  readonly transform: TimestepTransform;
  readonly clip: ClipGeometry;
  /**
   * 'continuous' (default, Open-Sora 1.2's `use_discrete_timesteps=False`): base t_i = (1 − i/K)·T.
   * 'integer': base t_i = round((1 − i/K)·T) with Python rounding, as in the On-device Sora code whose tables
   * the paper prints. The warp is applied after either.
   */
  readonly baseTimesteps?: 'continuous' | 'integer';
}

/**
 * The warp factor r for a clip: 1 for 'none', the given shift for 'fixed', and for 'opensora'
 * r = sqrt(H_px·W_px / baseResolutionPixels) · sqrt(F_lat / baseFrames) · scale, with
 * F_lat = 1 for a single frame, else floor(F / chunkFrames)·chunkLatentFrames.
 */
export function timestepShiftFactor(transform: TimestepTransform, clip: ClipGeometry): number {
  switch (transform.kind) {
    case 'none':
      return 1;
    case 'fixed':
      assertPositiveFinite('fixed shift', transform.shift);
      return transform.shift;
    case 'opensora': {
      assertPositiveFinite('clip heightPx', clip.heightPx);
      assertPositiveFinite('clip widthPx', clip.widthPx);
      if (!Number.isInteger(clip.numFrames) || clip.numFrames < 1) {
        throw new RangeError(`clip numFrames must be a positive integer, got ${clip.numFrames}`);
      }
      // Upstream floors by whole VAE chunks; a clip shorter than one chunk (but not a single image) would
      // give r = 0 and a degenerate schedule, so reject it instead of sampling garbage.
      const latentFrames =
        clip.numFrames === 1
          ? 1
          : Math.floor(clip.numFrames / transform.chunkFrames) * transform.chunkLatentFrames;
      if (latentFrames === 0) {
        throw new RangeError(
          `numFrames ${clip.numFrames} is shorter than one VAE chunk (${transform.chunkFrames} frames); ` +
            `the Open-Sora timestep warp needs 1 or at least ${transform.chunkFrames} frames`,
        );
      }
      const spatial = Math.sqrt((clip.heightPx * clip.widthPx) / transform.baseResolutionPixels);
      const temporal = Math.sqrt(latentFrames / transform.baseFrames);
      return spatial * temporal * transform.scale;
    }
  }
}

/** Warps one timestep: τ' = r·τ / (1 + (r − 1)·τ), τ = t/T; returns T·τ'. Keeps t = T and t = 0 fixed. */
export function shiftTimestep(timestep: number, shiftFactor: number, numTimesteps: number): number {
  const tau = timestep / numTimesteps;
  return numTimesteps * ((shiftFactor * tau) / (1 + (shiftFactor - 1) * tau));
}

/**
 * The K warped timesteps t'_0 > … > t'_{K−1}, each in (0, T]. The schedule never contains 0: the last step
 * integrates from t'_{K−1} to 0 (see {@link eulerStepSizes}).
 */
export function computeTimesteps(options: TimestepScheduleOptions): Float64Array {
  const { steps, numTimesteps } = options;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
  }
  assertPositiveFinite('numTimesteps', numTimesteps);
  const shift = timestepShiftFactor(options.transform, options.clip);
  const integerBase = (options.baseTimesteps ?? 'continuous') === 'integer';
  const timesteps = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    // Same float expression as upstream, so exact halves round the way Python does.
    const base = (1 - i / steps) * numTimesteps;
    timesteps[i] = shiftTimestep(integerBase ? roundHalfToEven(base) : base, shift, numTimesteps);
  }
  return timesteps;
}

/**
 * Noise-level step sizes dτ_i = (t'_i − t'_{i+1}) / T, and t'_{K−1} / T for the last step, so the steps
 * sum to τ_0 and the final Euler update lands on data.
 */
export function eulerStepSizes(timesteps: Float64Array, numTimesteps: number): Float64Array {
  const sizes = new Float64Array(timesteps.length);
  for (let i = 0; i < timesteps.length; i++) {
    const next = i + 1 < timesteps.length ? timesteps[i + 1] : 0;
    sizes[i] = (timesteps[i] - next) / numTimesteps;
  }
  return sizes;
}

/** Noise level τ_i = t'_i / T at a step: the step size of a leap to data from there (and of the x0 estimate). */
export function noiseLevelAt(timesteps: Float64Array, stepIndex: number, numTimesteps: number): number {
  if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= timesteps.length) {
    throw new RangeError(`stepIndex ${stepIndex} is outside [0, ${timesteps.length - 1}]`);
  }
  return timesteps[stepIndex] / numTimesteps;
}

function assertPositiveFinite(what: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`${what} must be a positive finite number, got ${value}`);
  }
}
