/** Progress and ETA of a running job, from the step latencies seen so far. Pure. */

import type { JobPhase } from '../generation/jobStore';

export type { JobPhase };

export interface ProgressInput {
  phase: JobPhase;
  /** Denoising steps (model calls) reported so far. */
  completedSteps: number;
  /** Model calls the run plans (the leap step + 1 with a fixed LPL; the step count otherwise, an upper bound with dynamic LPL). */
  plannedSteps: number;
  stepLatenciesMs: readonly number[];
  /** Time since the last step was reported (or since decode/write began), to count down between events. */
  elapsedInPhaseMs?: number;
  /** Decode + write time expected after the last step (e.g. from the previous run); 0 when unknown. */
  tailEstimateMs?: number;
}

export interface ProgressEstimate {
  /** 0…1 of the denoising steps. */
  fraction: number;
  /** Typical step time: median of the recent steps, the first one left out when others exist (it includes loading). */
  msPerStep: number | null;
  /** Time left, or null while there is nothing to estimate from. */
  remainingMs: number | null;
}

const RECENT_STEPS = 5;

export function typicalStepMs(stepLatenciesMs: readonly number[]): number | null {
  const usable = stepLatenciesMs.length > 1 ? stepLatenciesMs.slice(1) : stepLatenciesMs;
  const recent = usable.slice(-RECENT_STEPS).filter((value) => Number.isFinite(value) && value >= 0);
  if (recent.length === 0) {
    return null;
  }
  const sorted = [...recent].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function estimateProgress(input: ProgressInput): ProgressEstimate {
  const planned = Math.max(1, input.plannedSteps);
  const completed = Math.min(planned, Math.max(0, input.completedSteps));
  const tail = Math.max(0, input.tailEstimateMs ?? 0);
  const elapsed = Math.max(0, input.elapsedInPhaseMs ?? 0);
  const msPerStep = typicalStepMs(input.stepLatenciesMs);
  switch (input.phase) {
    case 'queued':
    case 'text':
    case 'encode':
      return { fraction: 0, msPerStep, remainingMs: null };
    case 'denoise': {
      if (msPerStep === null) {
        return { fraction: completed / planned, msPerStep, remainingMs: null };
      }
      const stepsLeftMs = (planned - completed) * msPerStep;
      return { fraction: completed / planned, msPerStep, remainingMs: Math.max(0, stepsLeftMs - elapsed) + tail };
    }
    case 'decode':
    case 'write':
      return { fraction: 1, msPerStep, remainingMs: tail > 0 ? Math.max(0, tail - elapsed) : null };
    case 'finished':
      return { fraction: 1, msPerStep, remainingMs: 0 };
  }
}
