/** Linear scales for the small SVG gauges (no chart library). */

export interface LinearScale {
  (value: number): number;
}

/** Maps [domainMin, domainMax] onto [rangeStart, rangeEnd]; a flat domain maps to rangeStart. */
export function linearScale(domainMin: number, domainMax: number, rangeStart: number, rangeEnd: number): LinearScale {
  const span = domainMax - domainMin;
  return (value: number) => (span === 0 ? rangeStart : rangeStart + ((value - domainMin) / span) * (rangeEnd - rangeStart));
}

/** "x,y x,y …" for an SVG polyline, rounded to 0.1 px. */
export function toPoints(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}
