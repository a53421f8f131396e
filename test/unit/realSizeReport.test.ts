import { describe, expect, it } from 'vitest';
import { realSizeGoals, realSizeMarkdown, type RealSizeResults, type StepRow } from '../../src/main/bench/realSize/report';

const GB = 1e9;
const row = (stepMs: number, peakRssBytes: number, budgetBytes: number): StepRow => ({
  stepMs,
  computeMs: stepMs,
  loadMs: 0,
  peakRssBytes,
  budgetBytes,
  activationBytes: 0.2 * GB,
  baselineBytes: 0.3 * GB,
  weightsBytes: 4.8 * GB,
  residentUnits: 30,
  units: 30,
  hiddenLoadShare: null,
});

function results(overrides: { budget25StepMs?: number; budget25RssBytes?: number; pytorchStepMs?: number } = {}): RealSizeResults {
  return {
    date: '2026-11-27T00:00:00.000Z',
    machine: { cpu: 'test cpu', cores: 2, memoryBytes: 24 * GB, platform: 'linux', node: 'v20', torch: '1.13' },
    preset: { resolution: '144p', aspect: '16:9', frames: 51, latent: { frames: 15, height: 18, width: 32 }, textTokens: 20, cfgBatch: 2, prompt: 'p' },
    steps: {
      resident: row(100_000, 5.5 * GB, 5 * GB),
      budget50: row(101_000, 3 * GB, 2.6 * GB),
      budget25: row(overrides.budget25StepMs ?? 103_000, overrides.budget25RssBytes ?? 1.7 * GB, 1.4 * GB),
      min: row(110_000, 1 * GB, 0.6 * GB),
    },
    tdtm: { normalStepMs: 100_000, mergedStepMs: 70_000 },
    lpl: { steps: 30, leapCalls: 16, fixedMs: 60_000, fullMs: 3_060_000, leapMs: 1_660_000 },
    t5: { blockMs: 1000, measuredBlocks: 4, totalMs: 25_000, totalBlocks: 24, measuredWallMs: 6000, peakRssBytes: 1.9 * GB, budgetBytes: 1.6 * GB, blockBytes: 0.77 * GB, baselineBytes: 0.3 * GB },
    vae: { decodeMs: 35_000, loadMs: 1000, peakRssBytes: 3 * GB, baselineBytes: 0.3 * GB, frames: 51 },
    pytorch: { stepMs: overrides.pytorchStepMs ?? 130_000, threads: 2 },
    gemm: { peakGflops: 140, stepGflop: 9000, engineGflops: 90 },
    sessionOptions: [{ variant: 'engine', label: "the engine's", pairs: 2, computeMs: 7000, stepMs: 7100, loadMs: 300, peakRssBytes: 0.9 * GB }],
    warm: { coldFirstStepMs: 20_000, warmFirstStepMs: 50, coldStepMs: 101_000, warmStepMs: 100_000 },
  };
}

describe('real-size bench report', () => {
  it('judges every goal of the issue from the numbers', () => {
    const goals = realSizeGoals(results());
    expect(goals.map((goal) => [goal.what, goal.met])).toEqual([
      ['engine step ≥ 1.2× faster than PyTorch eager', true],
      ['engine ≥ 60 % of the GEMM peak', true],
      ['TDTM ≥ 1.3× per merged step', true],
      ['CI-DL at 25 %: wall ≤ 1.05× all resident', true],
      ['CI-DL at 25 %: peak RSS ≤ budget + baseline', true],
      ['T5 streamed: peak RSS ≤ two blocks + activations + baseline', true],
      ['warm engine: first step starts ≥ 5× sooner', true],
    ]);
  });

  it('reports a goal missed when the measurement misses it', () => {
    const missed = (r: RealSizeResults): string[] => realSizeGoals(r).filter((goal) => !goal.met).map((goal) => goal.what);
    expect(missed(results({ budget25StepMs: 106_000 }))).toEqual(['CI-DL at 25 %: wall ≤ 1.05× all resident']);
    expect(missed(results({ budget25RssBytes: 1.8 * GB }))).toEqual(['CI-DL at 25 %: peak RSS ≤ budget + baseline']);
    expect(missed(results({ pytorchStepMs: 110_000 }))).toEqual(['engine step ≥ 1.2× faster than PyTorch eager']);
  });

  it('writes the step table, the measures and the goals as Markdown', () => {
    const text = realSizeMarkdown(results());
    expect(text).toContain('| budget 25 % | 103.0 s |');
    expect(text).toContain('| TDTM: normal / merged step | 100.0 s / 70.0 s (1.43×) |');
    expect(text).toContain('| LPL: 30 steps / 16 calls (+ 60.0 s text and decode) | 3060.0 s / 1660.0 s (1.84×) |');
    expect(text).toContain('| engine step ≥ 1.2× faster than PyTorch eager | 1.30× | yes |');
  });
});
