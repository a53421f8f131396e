import { describe, expect, it } from 'vitest';
import { isMergedStep, mergedFrameCount, validateMergedSteps } from '../../../src/main/engine/sampler/tdtm';

describe('TDTM steps', () => {
  it('merged frame count is ceil(T/2): an odd last frame is a group of its own', () => {
    expect([1, 2, 5, 8, 51].map(mergedFrameCount)).toEqual([1, 1, 3, 4, 26]);
  });

  it('merges only steps i < m', () => {
    const merged = Array.from({ length: 30 }, (_, i) => isMergedStep(i, 15));
    expect(merged.filter(Boolean).length).toBe(15);
    expect(merged[14]).toBe(true);
    expect(merged[15]).toBe(false);
    expect(isMergedStep(0, 0)).toBe(false);
    expect(isMergedStep(29, 30)).toBe(true);
  });

  it('validates 0 ≤ m ≤ K', () => {
    expect(() => validateMergedSteps(31, 30)).toThrow(/mergedSteps 31 is outside \[0, 30\]/);
    expect(() => validateMergedSteps(-1, 30)).toThrow(/mergedSteps -1/);
    expect(() => validateMergedSteps(30, 30)).not.toThrow();
    expect(() => validateMergedSteps(0, 30)).not.toThrow();
  });
});
