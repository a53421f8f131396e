import { describe, expect, it } from 'vitest';
import { physicalCoreCount } from '../../src/main/engine/runtime/cpuCores';
import { listed, median } from '../../src/main/bench/stats';

describe('bench statistics', () => {
  it('takes the middle run, or the mean of the middle two', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('lists runs at 0.1 ms', () => {
    expect(listed([1.234, 10.06])).toEqual([1.2, 10.1]);
  });
});

describe('physicalCoreCount', () => {
  it('counts distinct cores of /proc/cpuinfo, not hyper-threads', () => {
    const cpu = (n: number, core: number): string => `processor\t: ${n}\nphysical id\t: 0\ncore id\t\t: ${core}\n`;
    expect(physicalCoreCount([cpu(0, 0), cpu(1, 1), cpu(2, 0), cpu(3, 1)].join('\n'))).toBe(2);
  });
});
