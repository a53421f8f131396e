import { StudioError } from '@shared/ipc/errors';
import type { TensorMap } from '../runtime/types';
import type { FeedsFor } from '../streaming/unitStreamer';

/** Where a tensor came from, for the message: the stage, the denoising step (if any) and the unit that produced it. */
export interface NumericSite {
  stage: 'text' | 'denoise' | 'decode' | 'encode';
  step?: number;
  unitId: string;
}

/**
 * True when every value is finite. `v · 0` is 0 for a finite v and NaN for NaN or ±Infinity, so one sum over the
 * tensor answers; four independent sums let the CPU overlap them (about twice as fast as a compare per element).
 */
export function allFinite(values: Float32Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const whole = values.length - (values.length % 4);
  for (let i = 0; i < whole; i += 4) {
    a += values[i] * 0;
    b += values[i + 1] * 0;
    c += values[i + 2] * 0;
    d += values[i + 3] * 0;
  }
  for (let i = whole; i < values.length; i++) {
    a += values[i] * 0;
  }
  return a + b + c + d === 0;
}

/** Index of the first NaN or ±Infinity, or -1 (the element is looked for only when there is one). */
export function firstNonFinite(values: Float32Array): number {
  if (allFinite(values)) {
    return -1;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // v - v is 0 for every finite v, NaN otherwise.
    if (v - v !== 0) {
      return i;
    }
  }
  return -1;
}

/** Throws NUMERIC_ERROR naming the step, the unit and the tensor when `values` holds a NaN or an infinity. */
export function requireFinite(values: Float32Array, site: NumericSite, tensorName: string): void {
  const index = firstNonFinite(values);
  if (index < 0) {
    return;
  }
  const step = site.step === undefined ? '' : ` at step ${site.step + 1}`;
  throw new StudioError(
    'NUMERIC_ERROR',
    `${site.unitId} produced ${Number.isNaN(values[index]) ? 'NaN' : 'an infinite value'} in "${tensorName}" (element ${index})${step} of the ${site.stage} stage; ` +
      'the model\'s weights are broken (run the package check) or its numbers overflowed. The job was stopped.',
  );
}

/** Checks every float32 tensor of a unit's outputs. */
export function requireFiniteOutputs(outputs: TensorMap | null, site: NumericSite): void {
  for (const [name, tensor] of Object.entries(outputs ?? {})) {
    if (tensor.dtype === 'float32') {
      requireFinite(new Float32Array(tensor.data), site, name);
    }
  }
}

/**
 * Wraps a pass's feeds so each unit's outputs are checked as the next unit is fed: the unit that first produced a
 * NaN or infinity is named, not a later one. (The last unit's outputs are checked by the caller.)
 */
export function checkedFeeds(unitIds: readonly string[], feeds: FeedsFor, site: Omit<NumericSite, 'unitId'>): FeedsFor {
  return (index, previous) => {
    if (index > 0) {
      requireFiniteOutputs(previous, { ...site, unitId: unitIds[index - 1] });
    }
    return feeds(index, previous);
  };
}
