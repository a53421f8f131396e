/**
 * How far one output is from its reference, as the precision bench reports it: the largest absolute difference,
 * that difference relative to the reference's largest magnitude (the figure issue 25 asks for, scale-free), and
 * the relative RMS error (‖a − b‖ / ‖b‖). Lengths must match; a NaN makes every figure ∞.
 */
export interface TensorDifference {
  readonly elements: number;
  readonly maxAbs: number;
  readonly maxAbsRelative: number;
  readonly rmsRelative: number;
}

export function compareTensors(actual: ArrayLike<number>, reference: ArrayLike<number>): TensorDifference {
  if (actual.length !== reference.length) {
    throw new Error(`outputs differ in length: ${actual.length} vs the reference's ${reference.length}`);
  }
  let maxAbs = 0;
  let referenceMax = 0;
  let squaredError = 0;
  let squaredReference = 0;
  for (let i = 0; i < reference.length; i++) {
    const diff = actual[i] - reference[i];
    if (Number.isNaN(diff)) {
      return { elements: reference.length, maxAbs: Infinity, maxAbsRelative: Infinity, rmsRelative: Infinity };
    }
    maxAbs = Math.max(maxAbs, Math.abs(diff));
    referenceMax = Math.max(referenceMax, Math.abs(reference[i]));
    squaredError += diff * diff;
    squaredReference += reference[i] * reference[i];
  }
  return {
    elements: reference.length,
    maxAbs,
    maxAbsRelative: referenceMax > 0 ? maxAbs / referenceMax : maxAbs,
    rmsRelative: squaredReference > 0 ? Math.sqrt(squaredError / squaredReference) : Math.sqrt(squaredError),
  };
}
