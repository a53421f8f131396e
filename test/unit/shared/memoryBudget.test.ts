import { describe, expect, it } from 'vitest';
import { generateRequestSchema } from '../../../src/shared/domain/generation';
import { memoryBudgetSchema, parseMemoryBudget } from '../../../src/shared/domain/memoryBudget';
import { MemoryBudgetError } from '../../../src/shared/model/memoryPlan';
import { formatMegabytes } from '../../../src/shared/util/bytes';

describe('memory budget (one schema, one type)', () => {
  it('parses what users type into budgets the request schema accepts', () => {
    const cases: Array<[string, unknown]> = [
      ['all', { kind: 'all' }],
      [' MIN ', { kind: 'min' }],
      ['300MB', { kind: 'bytes', bytes: 300_000_000 }],
      ['1.5 GB', { kind: 'bytes', bytes: 1_500_000_000 }],
      ['512MiB', { kind: 'bytes', bytes: 512 * 1024 ** 2 }],
      ['2e8', { kind: 'bytes', bytes: 200_000_000 }],
    ];
    for (const [text, budget] of cases) {
      const parsed = parseMemoryBudget(text);
      expect(parsed).toEqual(budget);
      expect(memoryBudgetSchema.parse(parsed)).toEqual(parsed);
      expect(generateRequestSchema.parse({ prompt: 'a red circle', memoryBudget: parsed }).memoryBudget).toEqual(parsed);
    }
  });

  it('names what it does not understand', () => {
    expect(() => parseMemoryBudget('lots')).toThrow('Memory budget "lots" is not understood');
    expect(() => parseMemoryBudget('0MB')).toThrow('must be more than 0 bytes');
    expect(memoryBudgetSchema.safeParse({ kind: 'bytes', bytes: 1.5 }).success).toBe(false);
  });
});

describe('formatMegabytes (the one rule for sizes shown to users)', () => {
  it('shows decimal MB, two decimals below 10 MB and one from 10 MB on', () => {
    expect(formatMegabytes(1_194_624)).toBe('1.19 MB');
    expect(formatMegabytes(9_994_999)).toBe('9.99 MB');
    expect(formatMegabytes(10_000_000)).toBe('10.0 MB');
    expect(formatMegabytes(340_000_000)).toBe('340.0 MB');
    expect(formatMegabytes(4_800_000_000)).toBe('4800.0 MB');
  });

  it('is what the memory plan uses in its refusal', () => {
    expect(new MemoryBudgetError(2_500_000, 2_600_000).message).toContain('(2.50 MB) is below the minimum working set of 2600000 bytes (2.60 MB)');
  });
});
