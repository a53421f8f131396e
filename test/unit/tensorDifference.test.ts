import { describe, expect, it } from 'vitest';
import { compareTensors } from '../../src/main/bench/precision/tensorDifference';

describe("the precision bench's tensor difference", () => {
  it('gives the largest difference, relative to the largest reference magnitude, and the relative RMS', () => {
    const difference = compareTensors([1, -2.5, 4.25], [1, -2, 4]);
    expect(difference.elements).toBe(3);
    expect(difference.maxAbs).toBe(0.5);
    expect(difference.maxAbsRelative).toBe(0.5 / 4);
    expect(difference.rmsRelative).toBeCloseTo(Math.sqrt((0.25 + 0.0625) / (1 + 4 + 16)), 12);
  });

  it('makes a NaN infinitely far and refuses outputs of different lengths', () => {
    expect(compareTensors([NaN, 1], [0, 1]).maxAbsRelative).toBe(Infinity);
    expect(() => compareTensors([1], [1, 2])).toThrow('outputs differ in length: 1 vs the reference\'s 2');
  });
});
