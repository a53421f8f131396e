/** Largest |actual − reference| over the reference's leading elements: ∞ when actual is shorter or a NaN is met. */
export function maxAbsDiffLeading(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length < reference.length) {
    return Number.POSITIVE_INFINITY;
  }
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const diff = Math.abs(actual[i] - reference[i]);
    worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(worst, diff);
  }
  return worst;
}

/** Largest |actual − reference| elementwise: ∞ when the lengths differ or a NaN is met. */
export function maxAbsDiff(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  return actual.length === reference.length ? maxAbsDiffLeading(actual, reference) : Number.POSITIVE_INFINITY;
}
