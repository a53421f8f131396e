import { describe, expect, it } from 'vitest';
import type { GenerationSummary } from '../../../src/shared/domain/generation';
import type { JobView } from '../../../src/renderer/src/features/generation/jobStore';
import { formatPixelDifference, formatSpeedUp, meanAbsolutePixelDifference, speedUp } from '../../../src/renderer/src/features/compare/compareMetrics';
import { comparisonFacts } from '../../../src/renderer/src/features/compare/comparisonFacts';

function clip(width: number, height: number, frames: number, fill: (index: number) => number) {
  const rgba = new Uint8Array(width * height * 4 * frames);
  for (let i = 0; i < rgba.length; i++) {
    rgba[i] = fill(i);
  }
  return { width, height, frames, rgba };
}

describe('speedUp', () => {
  it('is the baseline time over the variant time', () => {
    expect(speedUp(3000, 1500)).toBe(2);
    expect(speedUp(1000, 1000)).toBe(1);
    expect(speedUp(1000, 2000)).toBe(0.5);
  });

  it('is unknown without two positive, finite times', () => {
    expect(speedUp(0, 100)).toBeNull();
    expect(speedUp(100, 0)).toBeNull();
    expect(speedUp(null, 100)).toBeNull();
    expect(speedUp(100, undefined)).toBeNull();
    expect(speedUp(Number.NaN, 100)).toBeNull();
    expect(speedUp(Number.POSITIVE_INFINITY, 100)).toBeNull();
    expect(formatSpeedUp(1.8449)).toBe('1.84×');
    expect(formatSpeedUp(null)).toBe('–');
  });
});

describe('meanAbsolutePixelDifference', () => {
  it('is 0 for identical clips and averages |a − b| over R, G and B of every pixel and frame', () => {
    const a = clip(2, 2, 3, (i) => i % 256);
    expect(meanAbsolutePixelDifference(a, a)).toBe(0);
    // b = a + 6 on R, G, B (alpha differs wildly and is ignored).
    const b = clip(2, 2, 3, (i) => (i % 4 === 3 ? 0 : (i % 256) + 6));
    const bytes = a.rgba.length;
    for (let i = 0; i < bytes; i++) {
      if (i % 4 !== 3 && a.rgba[i] + 6 > 255) {
        b.rgba[i] = a.rgba[i] - 6;
      }
    }
    expect(meanAbsolutePixelDifference(a, b)).toBeCloseTo(6, 10);
  });

  it('weights frames equally: one frame fully different out of two', () => {
    const black = clip(1, 1, 2, (i) => (i % 4 === 3 ? 255 : 0));
    const half = clip(1, 1, 2, (i) => (i % 4 === 3 ? 255 : i < 4 ? 255 : 0));
    expect(meanAbsolutePixelDifference(black, half)).toBe(127.5);
    expect(formatPixelDifference(127.5)).toBe('127.5 / 255 (50.0 %)');
    expect(formatPixelDifference(null)).toBe('–');
  });

  it('has no value for clips of different shapes', () => {
    expect(meanAbsolutePixelDifference(clip(2, 2, 1, () => 0), clip(2, 1, 2, () => 0))).toBeNull();
    expect(meanAbsolutePixelDifference(clip(2, 2, 1, () => 0), clip(2, 2, 2, () => 0))).toBeNull();
    expect(meanAbsolutePixelDifference(clip(0, 0, 0, () => 0), clip(0, 0, 0, () => 0))).toBeNull();
  });
});

function summary(stepsRun: number, denoiseMs: number, totalMs: number): GenerationSummary {
  return { stepsRun, leapStep: null, timingsMs: { text: 0, denoise: denoiseMs, decode: 0, write: 0, total: totalMs } } as GenerationSummary;
}

function job(jobId: string, status: JobView['status'], done?: GenerationSummary): JobView {
  return { jobId, status, summary: done ?? null, steps: [], error: null } as unknown as JobView;
}

describe('comparisonFacts', () => {
  it('measures each run against the first', () => {
    const jobs = { a: job('a', 'done', summary(6, 600, 1000)), b: job('b', 'done', summary(4, 300, 500)), c: job('c', 'running') };
    const facts = comparisonFacts(
      [
        { jobId: 'a', startError: null },
        { jobId: 'b', startError: null },
        { jobId: 'c', startError: null },
        { jobId: null, startError: 'INVALID_PARAMS: no' },
        { jobId: null, startError: null },
      ],
      jobs,
      { a: { difference: 0, ssim: 1, psnr: Infinity }, b: { difference: 12.5, ssim: 0.8, psnr: 24 } },
    );
    expect(facts.map((fact) => fact.status)).toEqual(['done', 'done', 'running', 'refused', 'submitting']);
    expect(facts[0]).toMatchObject({ speedUpTotal: 1, speedUpDenoise: 1, difference: 0 });
    expect(facts[1]).toMatchObject({ speedUpTotal: 2, speedUpDenoise: 2, difference: 12.5, ssim: 0.8, psnr: 24 });
    expect(facts[2]).toMatchObject({ speedUpTotal: null, difference: null });
    expect(facts[3].message).toBe('INVALID_PARAMS: no');
  });

  it('has no speed-up while the baseline has not finished', () => {
    const facts = comparisonFacts(
      [
        { jobId: 'a', startError: null },
        { jobId: 'b', startError: null },
      ],
      { a: job('a', 'running'), b: job('b', 'done', summary(4, 300, 500)) },
      {},
    );
    expect(facts[1].speedUpTotal).toBeNull();
  });

  it('a reopened comparison takes its records from the stored runs when this session never ran them', () => {
    const facts = comparisonFacts(
      [
        { jobId: 'old-a', startError: null },
        { jobId: 'old-b', startError: null },
        { jobId: 'gone', startError: null },
      ],
      {},
      {},
      { 'old-a': summary(6, 600, 1000), 'old-b': summary(4, 300, 250) },
    );
    expect(facts.map((fact) => fact.status)).toEqual(['done', 'done', 'submitting']);
    expect(facts[1]).toMatchObject({ speedUpTotal: 4, speedUpDenoise: 2 });
  });
});
