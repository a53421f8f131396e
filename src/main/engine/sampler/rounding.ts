/**
 * Python 3's `round(x)` for a float: nearest integer, ties to even (banker's rounding). Open-Sora rounds
 * with Python, and `Math.round` differs on exact halves (it rounds 0.5 → 1, 2.5 → 3; Python gives 0 and 2).
 */
export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) {
    return floor;
  }
  if (diff > 0.5) {
    return floor + 1;
  }
  return floor % 2 === 0 ? floor : floor + 1;
}
