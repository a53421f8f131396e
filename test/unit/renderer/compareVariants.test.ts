import { describe, expect, it } from 'vitest';
import { generateRequestSchema } from '../../../src/shared/domain/generation';
import { plannedModelCalls } from '../../../src/shared/domain/lpl';
import {
  defaultVariants,
  restoreVariants,
  variantLabel,
  variantProblem,
  variantRequest,
  withLplKind,
  type CompareVariant,
} from '../../../src/renderer/src/features/compare/compareVariants';

function keys(): () => string {
  let n = 0;
  return () => `k${++n}`;
}

const strip = (variants: CompareVariant[]): Array<Omit<CompareVariant, 'key'>> => variants.map(({ steps, lpl }) => ({ steps, lpl }));

describe('defaultVariants', () => {
  it('at 30 steps: no LPL, leap after 15, leap after 10, dynamic', () => {
    const variants = defaultVariants(30, keys());
    expect(strip(variants)).toEqual([
      { steps: 30, lpl: { kind: 'off' } },
      { steps: 30, lpl: { kind: 'fixed', leapStep: 15 } },
      { steps: 30, lpl: { kind: 'fixed', leapStep: 10 } },
      { steps: 30, lpl: { kind: 'dynamic', minimumStep: 14 } },
    ]);
    expect(variants.map((variant) => variant.key)).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(variants.map((variant) => plannedModelCalls(variant.lpl, variant.steps))).toEqual([30, 16, 11, null]);
    expect(variants.map(variantLabel)).toEqual(['No LPL · 30 steps', 'Leap after 15 · 30 steps', 'Leap after 10 · 30 steps', 'Dynamic LPL from 14 · 30 steps']);
  });

  it('fits short runs: every default variant is one the backend accepts', () => {
    for (const steps of [1, 2, 3, 6, 14, 15, 200]) {
      const variants = defaultVariants(steps, keys());
      expect(variants[0].lpl.kind).toBe('off');
      for (const variant of variants) {
        expect(variantProblem(variant)).toBeNull();
      }
      const leaps = variants.flatMap((variant) => (variant.lpl.kind === 'fixed' ? [variant.lpl.leapStep] : []));
      expect(new Set(leaps).size).toBe(leaps.length);
    }
    expect(strip(defaultVariants(6, keys()))).toEqual([
      { steps: 6, lpl: { kind: 'off' } },
      { steps: 6, lpl: { kind: 'fixed', leapStep: 3 } },
      { steps: 6, lpl: { kind: 'fixed', leapStep: 2 } },
      { steps: 6, lpl: { kind: 'dynamic', minimumStep: 3 } },
    ]);
    expect(strip(defaultVariants(1, keys()))).toEqual([{ steps: 1, lpl: { kind: 'off' } }]);
    expect(strip(defaultVariants(Number.NaN, keys()))[1]).toEqual({ steps: 30, lpl: { kind: 'fixed', leapStep: 15 } });
  });
});

describe('variantProblem', () => {
  it('names what the backend would refuse', () => {
    expect(variantProblem({ key: 'a', steps: 6, lpl: { kind: 'fixed', leapStep: 6 } })).toMatch(/Leap after 1 … 5 steps/);
    expect(variantProblem({ key: 'a', steps: 6, lpl: { kind: 'fixed', leapStep: 0 } })).toMatch(/Leap after/);
    expect(variantProblem({ key: 'a', steps: 14, lpl: { kind: 'dynamic', minimumStep: 14 } })).toMatch(/minimum step must be 1 … 13/);
    expect(variantProblem({ key: 'a', steps: 0, lpl: { kind: 'off' } })).toMatch(/Steps must be/);
    expect(variantProblem({ key: 'a', steps: Number.NaN, lpl: { kind: 'off' } })).toMatch(/Steps must be/);
    expect(variantProblem({ key: 'a', steps: 4, lpl: { kind: 'off' } }, 5)).toMatch(/TDTM/);
    expect(variantProblem({ key: 'a', steps: 6, lpl: { kind: 'fixed', leapStep: 3 } }, 2)).toBeNull();
  });
});

describe('variantRequest', () => {
  it('keeps the composer request, locks the seed and sets steps and LPL', () => {
    const base = { prompt: 'a red circle', steps: 30, cfgScale: 4, lpl: { kind: 'off' as const }, tdtmMergedSteps: 2, memoryBudget: { kind: 'all' as const } };
    const fixed = variantRequest(base, 42, { key: 'a', steps: 6, lpl: { kind: 'fixed', leapStep: 3 } });
    expect(fixed).toEqual({ ...base, seed: 42, steps: 6, lpl: { kind: 'fixed', leapStep: 3 } });
    const dynamic = variantRequest(base, 42, { key: 'b', steps: 30, lpl: { kind: 'dynamic', minimumStep: 14 } });
    expect(generateRequestSchema.parse(dynamic).lpl).toEqual({ kind: 'dynamic', minimumStep: 14, tolerance: 1e-3, patience: 3, compare: 'full-latent' });
    expect(generateRequestSchema.safeParse(fixed).success).toBe(true);
  });
});

describe('editing helpers', () => {
  it('switches the LPL kind with a step that fits', () => {
    const base: CompareVariant = { key: 'a', steps: 6, lpl: { kind: 'off' } };
    expect(withLplKind(base, 'fixed').lpl).toEqual({ kind: 'fixed', leapStep: 3 });
    expect(withLplKind(base, 'dynamic').lpl).toEqual({ kind: 'dynamic', minimumStep: 3 });
    expect(withLplKind({ ...base, steps: 30 }, 'dynamic').lpl).toEqual({ kind: 'dynamic', minimumStep: 14 });
    expect(withLplKind(withLplKind(base, 'fixed'), 'off')).toEqual(base);
  });

  it('restores stored variants, or nothing when they do not read as variants', () => {
    const stored = [
      { steps: 6, lpl: { kind: 'off' } },
      { steps: 6, lpl: { kind: 'fixed', leapStep: 3 } },
      { steps: 30, lpl: { kind: 'dynamic', minimumStep: 14 } },
    ];
    expect(strip(restoreVariants(stored, keys()) ?? [])).toEqual(stored);
    expect(restoreVariants(undefined)).toBeNull();
    expect(restoreVariants([])).toBeNull();
    expect(restoreVariants([{ steps: 6, lpl: { kind: 'fixed' } }])).toBeNull();
    expect(restoreVariants([{ steps: '6', lpl: { kind: 'off' } }])).toBeNull();
    expect(restoreVariants([{ steps: 6, lpl: { kind: 'sideways' } }])).toBeNull();
  });
});
