import { describe, expect, it } from 'vitest';
import { estimateProgress, typicalStepMs } from '../../../src/renderer/src/features/live/progress';

describe('typicalStepMs', () => {
  it('leaves out the first step (it includes loading) and takes the median of the recent ones', () => {
    expect(typicalStepMs([900, 100, 120, 110])).toBe(110);
    expect(typicalStepMs([900, 100, 120])).toBe(110);
  });
  it('uses the first step when it is the only one', () => {
    expect(typicalStepMs([500])).toBe(500);
  });
  it('looks at the last five steps only', () => {
    expect(typicalStepMs([1000, 500, 500, 500, 500, 10, 10, 10, 10, 10])).toBe(10);
  });
  it('is null without steps', () => {
    expect(typicalStepMs([])).toBeNull();
  });
});

describe('estimateProgress', () => {
  it('has no ETA before the first step', () => {
    expect(estimateProgress({ phase: 'text', completedSteps: 0, plannedSteps: 30, stepLatenciesMs: [] })).toEqual({ fraction: 0, msPerStep: null, remainingMs: null });
    expect(estimateProgress({ phase: 'denoise', completedSteps: 0, plannedSteps: 30, stepLatenciesMs: [] }).remainingMs).toBeNull();
  });

  it('multiplies the steps left by the typical step time, plus the expected decode and write', () => {
    const estimate = estimateProgress({ phase: 'denoise', completedSteps: 10, plannedSteps: 30, stepLatenciesMs: [800, ...Array(9).fill(100)], tailEstimateMs: 500 });
    expect(estimate.fraction).toBeCloseTo(1 / 3);
    expect(estimate.msPerStep).toBe(100);
    expect(estimate.remainingMs).toBe(20 * 100 + 500);
  });

  it('counts down between step events without going below the tail', () => {
    const input = { phase: 'denoise' as const, completedSteps: 29, plannedSteps: 30, stepLatenciesMs: Array(29).fill(100), tailEstimateMs: 300 };
    expect(estimateProgress({ ...input, elapsedInPhaseMs: 40 }).remainingMs).toBe(60 + 300);
    expect(estimateProgress({ ...input, elapsedInPhaseMs: 400 }).remainingMs).toBe(300);
  });

  it('plans for the leap: a fixed LPL ends after leapStep + 1 model calls', () => {
    const estimate = estimateProgress({ phase: 'denoise', completedSteps: 5, plannedSteps: 11, stepLatenciesMs: Array(5).fill(200) });
    expect(estimate.remainingMs).toBe(6 * 200);
    expect(estimate.fraction).toBeCloseTo(5 / 11);
  });

  it('after denoising, only the tail is left (unknown without an earlier run)', () => {
    expect(estimateProgress({ phase: 'decode', completedSteps: 30, plannedSteps: 30, stepLatenciesMs: [100], tailEstimateMs: 1000, elapsedInPhaseMs: 250 })).toMatchObject({ fraction: 1, remainingMs: 750 });
    expect(estimateProgress({ phase: 'write', completedSteps: 30, plannedSteps: 30, stepLatenciesMs: [100] }).remainingMs).toBeNull();
    expect(estimateProgress({ phase: 'finished', completedSteps: 30, plannedSteps: 30, stepLatenciesMs: [100] })).toMatchObject({ fraction: 1, remainingMs: 0 });
  });

  it('clamps odd inputs', () => {
    expect(estimateProgress({ phase: 'denoise', completedSteps: 40, plannedSteps: 30, stepLatenciesMs: [100, 100] })).toMatchObject({ fraction: 1, remainingMs: 0 });
    expect(estimateProgress({ phase: 'denoise', completedSteps: 1, plannedSteps: 0, stepLatenciesMs: [100] }).fraction).toBe(1);
  });
});
