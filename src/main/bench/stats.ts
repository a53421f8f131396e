/** The bench's one summary of repeated runs: the median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs rounded to 0.1 ms, as the JSON lists them beside their median. */
export function listed(values: readonly number[]): number[] {
  return values.map((value) => Math.round(value * 10) / 10);
}
