import { DYNAMIC_LPL_DEFAULTS } from '@shared/domain/lpl';
import { cosineSimilarityFullLatent, meanRowCosine } from './cosine';
import type { LatentShape } from './types';
import { assertLatentLength } from './types';

/**
 * Linear Proportional Leap (arXiv 2502.04363 §4; docs/techniques.md §LPL). At the leap step n the model is
 * evaluated as usual and then, instead of an Euler step to τ_{n+1}, the sampler jumps to data:
 * z_final = z_n + τ_n·v̂_n (`leapToDataInPlace`). A leap at step index n therefore costs n + 1 model calls.
 */

/** Which velocity tensor dynamic LPL compares between consecutive steps. */
export type LplComparison =
  /** Cosine of the whole guided velocity [C, T, H, W], flattened (the default: docs/techniques.md §Decisions, D2). */
  | 'full-latent'
  /** The On-device Sora authors' score (docs/techniques.md §LPL): channel 0, frame 0, row cosines along W, their mean. */
  | 'paper-slice';

export type LplPolicy =
  | { readonly kind: 'off' }
  /** Leap at 0-based step index `leapStep` (n regular steps, then the leap evaluation: n + 1 calls). */
  | { readonly kind: 'fixed'; readonly leapStep: number }
  | {
      readonly kind: 'dynamic';
      /** First step index at which the cosine is scored (14 in the authors' code). */
      readonly minimumStep: number;
      /** A score counts as an improvement only if it beats the best by more than this (1e-3). */
      readonly tolerance: number;
      /** Non-improving scored steps allowed before leaping (3). */
      readonly patience: number;
      readonly compare: LplComparison;
    };

/** The shared dynamic defaults (src/shared/domain/lpl.ts) as an engine policy. */
export const DEFAULT_DYNAMIC_LPL_POLICY: LplPolicy = { kind: 'dynamic', ...DYNAMIC_LPL_DEFAULTS };

/** The paper's default fixed leap, n = ⌊K/2⌋ (15 of 30: 16 model calls). */
export function defaultFixedLplPolicy(totalSteps: number): LplPolicy {
  return { kind: 'fixed', leapStep: Math.floor(totalSteps / 2) };
}

/** Throws a RangeError that names the bad value and the allowed range. */
export function validateLplPolicy(policy: LplPolicy, totalSteps: number): void {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new RangeError(`totalSteps must be a positive integer, got ${totalSteps}`);
  }
  switch (policy.kind) {
    case 'off':
      return;
    case 'fixed': {
      const { leapStep } = policy;
      // Step 0 would be a leap from pure noise; K − 1 is what plain sampling already does.
      if (!Number.isInteger(leapStep) || leapStep < 1 || leapStep > totalSteps - 1) {
        throw new RangeError(
          `LPL leapStep ${leapStep} is outside [1, ${totalSteps - 1}] for ${totalSteps} steps ` +
            `(it is a 0-based step index; the leap costs leapStep + 1 model calls)`,
        );
      }
      return;
    }
    case 'dynamic': {
      // Scoring needs the previous step's velocity, so the first scored step is at least 1.
      if (!Number.isInteger(policy.minimumStep) || policy.minimumStep < 1) {
        throw new RangeError(`LPL minimumStep ${policy.minimumStep} must be an integer ≥ 1`);
      }
      if (!(Number.isFinite(policy.tolerance) && policy.tolerance >= 0)) {
        throw new RangeError(`LPL tolerance ${policy.tolerance} must be a finite number ≥ 0`);
      }
      if (!Number.isInteger(policy.patience) || policy.patience < 1) {
        throw new RangeError(`LPL patience ${policy.patience} must be an integer ≥ 1`);
      }
      if (policy.compare !== 'full-latent' && policy.compare !== 'paper-slice') {
        throw new RangeError(`LPL compare must be 'full-latent' or 'paper-slice', got ${String(policy.compare)}`);
      }
      return;
    }
  }
}

export type LplLeapReason = 'fixed' | 'dynamic' | 'finish-request';

export interface LplObservation {
  /** Leap now: apply z += τ_i·v̂_i with this step's velocity and stop. */
  readonly leapNow: boolean;
  /** Dynamic policy only, on scored steps (i ≥ minimumStep): similarity of v̂_i to v̂_{i−1}. */
  readonly cosine?: number;
  /** Why the leap fires; present only when leapNow is true. */
  readonly reason?: LplLeapReason;
}

/** The dynamic rule's counters, as in the authors' code (best_cos starts at 0, patience at max). */
export interface LplDynamicState {
  readonly bestCosine: number;
  readonly patienceLeft: number;
}

export interface LplController {
  readonly policy: LplPolicy;
  readonly totalSteps: number;
  /**
   * Call once per step, in order 0, 1, 2, …, after CFG, with that step's guided velocity v̂_i
   * ([C, T, H, W] float32, one batch item; it is copied, so the caller may reuse the buffer). At the last
   * step a leap equals the regular Euler step (both integrate to 0). After a leap, further calls throw.
   */
  observe(stepIndex: number, guidedVelocity: Float32Array, latentShape: LatentShape): LplObservation;
  /** "Finish now": the next `observe` returns leapNow (reason 'finish-request'), whatever the policy. */
  requestFinish(): void;
  /** The dynamic rule's counters (bestCosine 0 / patienceLeft 0 for other policies). */
  dynamicState(): LplDynamicState;
}

/**
 * A per-run LPL state machine. Its only state is encapsulated here: the next expected step, the
 * finish request, the dynamic counters and a copy of the previous velocity (the whole latent for
 * 'full-latent', only the [channel 0, frame 0] H×W slice for 'paper-slice').
 *
 * Dynamic rule, applied after each step i (the authors' code, exact; docs/techniques.md §LPL):
 *   if i ≥ minimumStep: if c_i > best + tolerance { best = c_i; patience = max } else { patience −= 1 }
 *   if patience == 0: leap at i
 * With 14 / 1e-3 / 3 the earliest leap is at i = 17 (18 calls) once the first score exceeds 1e-3; since
 * best starts at 0, a first score ≤ 1e-3 already spends patience and allows i = 16. Unlike the authors'
 * code, the state is not shared between runs.
 */
export function createLplController(policy: LplPolicy, totalSteps: number): LplController {
  validateLplPolicy(policy, totalSteps);
  let nextStep = 0;
  let finished = false;
  let finishRequested = false;
  let bestCosine = 0;
  let patienceLeft = policy.kind === 'dynamic' ? policy.patience : 0;
  let previous: Float32Array | undefined;

  function scoreDynamic(
    stepIndex: number,
    velocity: Float32Array,
    shape: LatentShape,
    dynamic: Extract<LplPolicy, { kind: 'dynamic' }>,
  ): number | undefined {
    const sliceLength = shape.height * shape.width;
    const storedLength = dynamic.compare === 'full-latent' ? velocity.length : sliceLength;
    let cosine: number | undefined;
    if (stepIndex >= dynamic.minimumStep && previous !== undefined) {
      cosine =
        dynamic.compare === 'full-latent'
          ? cosineSimilarityFullLatent(velocity, previous)
          : meanRowCosine(velocity, previous, shape.height, shape.width);
      if (cosine > bestCosine + dynamic.tolerance) {
        bestCosine = cosine;
        patienceLeft = dynamic.patience;
      } else {
        patienceLeft -= 1;
      }
    }
    // Keep v̂_i only from the step before the first scored one: earlier copies are never compared.
    if (stepIndex >= dynamic.minimumStep - 1) {
      if (previous === undefined || previous.length !== storedLength) {
        previous = new Float32Array(storedLength);
      }
      previous.set(velocity.subarray(0, storedLength));
    }
    return cosine;
  }

  return {
    policy,
    totalSteps,
    observe(stepIndex, guidedVelocity, latentShape) {
      if (finished) {
        throw new Error(`LPL already leapt at step ${nextStep - 1}; the run is over`);
      }
      if (stepIndex !== nextStep) {
        throw new RangeError(`LPL observe expected step ${nextStep}, got ${stepIndex} (steps must be observed in order)`);
      }
      if (stepIndex >= totalSteps) {
        throw new RangeError(`LPL observe step ${stepIndex} is outside [0, ${totalSteps - 1}]`);
      }
      assertLatentLength('guided velocity', guidedVelocity.length, latentShape);
      nextStep += 1;

      let cosine: number | undefined;
      let reason: LplLeapReason | undefined;
      if (policy.kind === 'dynamic') {
        // Scored even when a finish was requested, so logs show the last cosine.
        cosine = scoreDynamic(stepIndex, guidedVelocity, latentShape, policy);
        if (patienceLeft === 0) {
          reason = 'dynamic';
        }
      } else if (policy.kind === 'fixed' && stepIndex === policy.leapStep) {
        reason = 'fixed';
      }
      if (finishRequested) {
        reason = 'finish-request';
      }
      finished = reason !== undefined;
      const observation: { leapNow: boolean; cosine?: number; reason?: LplLeapReason } = { leapNow: finished };
      if (cosine !== undefined) {
        observation.cosine = cosine;
      }
      if (reason !== undefined) {
        observation.reason = reason;
      }
      return observation;
    },
    requestFinish() {
      finishRequested = true;
    },
    dynamicState() {
      return { bestCosine, patienceLeft };
    },
  };
}
