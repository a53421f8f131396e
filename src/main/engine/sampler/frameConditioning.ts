/**
 * Reference frames during sampling, as Open-Sora 1.2's rectified-flow sampler handles them (tag v1.2.0,
 * opensora/schedulers/rf/__init__.py, RFLOW.sample with a mask): with the per-frame mask m (1 = generated, r for a
 * reference frame, applyMaskStrategy) a frame is *generated* at timestep t when m·T ≥ t, else it is a *reference*
 * (the denoiser's x_mask is False there: modulated with timestep 0). Before each step, a frame that has just become
 * generated (only a reference with r in (0, 1), the first time t ≤ r·T) is noised once to the current level,
 * (1 − t/T)·z + (t/T)·ε; after each step (Euler or the LPL leap) every reference frame gets back its value from the
 * start of the step. r = 0 frames are therefore never noised and never change. Generated frames start as the seed's
 * noise (upstream counts them as already noised). ε is one latent-sized draw that continues the job's noise stream
 * (the draw after the initial noise), so a conditioned job is reproducible from its seed; upstream draws it from
 * the global generator.
 */
import type { LatentShape } from './types';
import { assertLatentLength } from './types';

export interface FrameStep {
  /** Per latent frame: 1 = generated at this step's t, 0 = reference (t = 0 modulation). The denoiser's x_mask. */
  readonly generate: Uint8Array;
  /** The latent at the start of the step, after any noising: what reference frames are put back to. */
  readonly anchor: Float32Array;
}

export interface FrameConditioner {
  /** Noises frames that become generated at `timestep`, then returns the step's mask and anchor. */
  beginStep(latent: Float32Array, timestep: number): FrameStep;
  /** Puts every reference frame of the step back to its anchor value (after the Euler step or the leap). */
  endStep(latent: Float32Array, step: FrameStep): void;
}

/**
 * @param mask per latent frame: 1 generated, else the edit ratio r in [0, 1).
 * @param editNoise the ε of the one-time noising, [C, T, H, W] (read only for frames with r in (0, 1)).
 */
export function createFrameConditioner(shape: LatentShape, mask: Float32Array, numTimesteps: number, editNoise: Float32Array): FrameConditioner {
  if (mask.length !== shape.frames) {
    throw new RangeError(`frame mask has ${mask.length} entries for ${shape.frames} latent frames`);
  }
  assertLatentLength('edit noise', editNoise.length, shape);
  const plane = shape.height * shape.width;
  const noised = Array.from(mask, (value) => value === 1);
  const forEachFramePlane = (frame: number, visit: (offset: number) => void): void => {
    for (let c = 0; c < shape.channels; c++) {
      visit((c * shape.frames + frame) * plane);
    }
  };
  return {
    beginStep(latent, timestep) {
      assertLatentLength('latent', latent.length, shape);
      const generate = new Uint8Array(shape.frames);
      const level = timestep / numTimesteps;
      for (let f = 0; f < shape.frames; f++) {
        generate[f] = mask[f] * numTimesteps >= timestep ? 1 : 0;
        if (generate[f] && !noised[f]) {
          forEachFramePlane(f, (offset) => {
            for (let i = offset; i < offset + plane; i++) {
              latent[i] = (1 - level) * latent[i] + level * editNoise[i];
            }
          });
        }
        noised[f] = generate[f] === 1;
      }
      return { generate, anchor: latent.slice() };
    },
    endStep(latent, step) {
      for (let f = 0; f < shape.frames; f++) {
        if (!step.generate[f]) {
          forEachFramePlane(f, (offset) => latent.set(step.anchor.subarray(offset, offset + plane), offset));
        }
      }
    },
  };
}
