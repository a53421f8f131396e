import { describe, expect, it } from 'vitest';

import { MemoryBudgetError, planMemory, type PlannedUnit } from '../../../src/shared/model/memoryPlan';

const units = (sizes: readonly number[]): PlannedUnit[] => sizes.map((sizeBytes, i) => ({ id: `u${i}`, sizeBytes }));

describe('planMemory', () => {
  const chain = units([10, 40, 20, 30, 10, 50]);

  it('min working set is the largest consecutive pair; min streams everything', () => {
    const plan = planMemory(chain, { kind: 'min' });
    expect(plan.minWorkingSetBytes).toBe(60); // 10+50
    expect(plan.residentCount).toBe(0);
    expect(plan.streamedUnitIds).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
    expect(plan.budgetBytes).toBe(60);
    expect(plan.peakResidentBytes).toBe(60);
    expect(plan.totalBytes).toBe(160);
  });

  it('all keeps every unit resident', () => {
    const plan = planMemory(chain, { kind: 'all' });
    expect(plan.residentCount).toBe(6);
    expect(plan.streamedUnitIds).toEqual([]);
    expect(plan.peakResidentBytes).toBe(160);
    expect(plan.budgetBytes).toBe(160);
  });

  it('bytes: K is the largest prefix with prefix + max streamed pair <= budget', () => {
    // need(k): k=0 → 60, k=1 → 10+60=70, k=2 → 50+60=110, k=3 → 70+60=130, k=4 → 100+60=160, k=5 → 110+50=160, k=6 → 160
    expect(planMemory(chain, { kind: 'bytes', bytes: 69 }).residentCount).toBe(0);
    expect(planMemory(chain, { kind: 'bytes', bytes: 70 }).residentCount).toBe(1);
    const middle = planMemory(chain, { kind: 'bytes', bytes: 130 });
    expect(middle.residentCount).toBe(3);
    expect(middle.residentUnitIds).toEqual(['u0', 'u1', 'u2']);
    expect(middle.residentPrefixBytes).toBe(70);
    expect(middle.peakResidentBytes).toBe(130);
    expect(planMemory(chain, { kind: 'bytes', bytes: 159 }).residentCount).toBe(3);
    expect(planMemory(chain, { kind: 'bytes', bytes: 160 }).residentCount).toBe(6);
  });

  it('need(k) is flat in places: the largest fitting prefix wins', () => {
    // need: k=0 → max pair 101; k=1 → 1+101=102; k=2 → 101+2=103; k=3 → 102+1=103; k=4 → 103
    const plan = planMemory(units([1, 100, 1, 1]), { kind: 'bytes', bytes: 103 });
    expect(plan.residentCount).toBe(4);
    expect(planMemory(units([1, 100, 1, 1]), { kind: 'bytes', bytes: 102 }).residentCount).toBe(1);
  });

  it('refuses a budget below the minimum, naming the minimum in bytes and MB', () => {
    const big = units([150e6, 170e6, 170e6]);
    let caught: unknown;
    try {
      planMemory(big, { kind: 'bytes', bytes: 300e6 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MemoryBudgetError);
    const error = caught as MemoryBudgetError;
    expect(error.minimumBytes).toBe(340e6);
    expect(error.message).toContain('340000000 bytes');
    expect(error.message).toContain('340.0 MB');
    expect(error.message).toContain('300000000 bytes');
  });

  it('adds the reserve to every figure', () => {
    const plan = planMemory(chain, { kind: 'bytes', bytes: 135 }, { reserveBytes: 5 });
    expect(plan.minWorkingSetBytes).toBe(65);
    expect(plan.residentCount).toBe(3);
    expect(plan.peakResidentBytes).toBe(135);
    expect(plan.peakSessionBytes).toBe(130);
    expect(() => planMemory(chain, { kind: 'bytes', bytes: 64 }, { reserveBytes: 5 })).toThrow(/65 bytes/);
  });

  it('handles one unit and rejects nonsense sizes', () => {
    expect(planMemory(units([42]), { kind: 'min' }).minWorkingSetBytes).toBe(42);
    expect(() => planMemory(units([-1]), { kind: 'all' })).toThrow(RangeError);
    expect(() => planMemory(chain, { kind: 'bytes', bytes: Number.NaN })).toThrow(RangeError);
  });
});
