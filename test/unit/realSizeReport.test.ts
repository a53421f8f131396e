import { describe, expect, it } from 'vitest';
import { realSizeGoals, realSizeMarkdown, type RealSizeResults, type StepRow } from '../../src/main/bench/realSize/report';

const GB = 1e9;
const row = (stepMs: number, peakRssBytes: number, budgetBytes: number): StepRow => ({
  stepMs,
  stepMsRuns: [stepMs - 2000, stepMs, stepMs + 1000],
  computeMs: stepMs,
  computeMsRuns: [stepMs - 2000, stepMs, stepMs + 1000],
  loadMs: 0,
  loadMsRuns: [0, 0, 0],
  peakRssBytes,
  budgetBytes,
  activationBytes: 0.2 * GB,
  baselineBytes: 0.3 * GB,
  weightsBytes: 4.8 * GB,
  residentUnits: 30,
  units: 30,
  hiddenLoadShare: null,
});

const three = (ms: number): number[] => [ms, ms * 0.98, ms * 1.03];

/** A profile of the 2-pair short step with these op rows (kernel time is their sum). */
const profileOf = (opMs: RealSizeResults['profile']['opMs']): RealSizeResults['profile'] => ({
  pairs: 2,
  runsPerSession: 3,
  opMs,
  kernelMs: opMs.reduce((sum, row) => sum + row.ms, 0),
  matmulShare: 0.8,
  matmulGflops: 96,
});

function results(
  overrides: { budget25StepMs?: number; budget25RssBytes?: number; pytorchStepMs?: number; mergedStepMs?: number; leapMs?: number } = {},
): RealSizeResults {
  return {
    date: '2026-11-27T00:00:00.000Z',
    repeats: 3,
    machine: { cpu: 'test cpu', cores: 2, physicalCores: 2, memoryBytes: 24 * GB, platform: 'linux', node: 'v20', torch: '1.13' },
    preset: { resolution: '144p', aspect: '16:9', frames: 51, latent: { frames: 15, height: 18, width: 32 }, textTokens: 20, cfgBatch: 2, prompt: 'p' },
    steps: {
      resident: row(100_000, 5.5 * GB, 5 * GB),
      budget50: row(101_000, 3 * GB, 2.6 * GB),
      budget25: row(103_000, overrides.budget25RssBytes ?? 1.7 * GB, 1.4 * GB),
      min: row(110_000, 1 * GB, 0.6 * GB),
    },
    ciDl: {
      share: 0.25,
      residentStepMs: 100_000,
      residentStepMsRuns: three(100_000),
      budgetStepMs: overrides.budget25StepMs ?? 104_000,
      budgetStepMsRuns: three(overrides.budget25StepMs ?? 104_000),
      budgetLoadMs: 2000,
      budgetLoadMsRuns: three(2000),
      hiddenLoadShare: 0.95,
      residentUnits: 5,
      units: 30,
    },
    // Ceiling 9000 / 7200 = 1.25×; 100 / 80 s = 1.25× is 100 % of it.
    tdtm: {
      preset: { resolution: '144p', aspect: '16:9', frames: 51, latent: { frames: 15, height: 18, width: 32 } },
      normalStepMs: 100_000,
      normalStepMsRuns: three(100_000),
      mergedStepMs: overrides.mergedStepMs ?? 80_000,
      mergedStepMsRuns: three(overrides.mergedStepMs ?? 80_000),
      normalGflop: 9000,
      mergedGflop: 7200,
    },
    lpl: {
      endToEnd: {
        preset: '144p 16:9 × 1 frame (image)',
        fullMs: 180_000,
        fullMsRuns: [179_000, 180_000, 185_000],
        leapMs: overrides.leapMs ?? 100_000,
        leapMsRuns: three(overrides.leapMs ?? 100_000),
        fullCalls: 30,
        leapCalls: 16,
      },
      computed: { frames: 51, steps: 30, leapCalls: 16, fixedMs: 60_000, fullMs: 3_060_000, leapMs: 1_660_000 },
    },
    t5: {
      blockMs: 1000,
      blockMsRuns: three(1000),
      measuredBlocks: 4,
      totalMsComputed: 25_000,
      totalBlocks: 24,
      measuredWallMs: 6000,
      measuredWallMsRuns: three(6000),
      peakRssBytes: 1.9 * GB,
      budgetBytes: 1.6 * GB,
      blockBytes: 0.77 * GB,
      baselineBytes: 0.3 * GB,
    },
    vae: { decodeMs: 35_000, decodeMsRuns: three(35_000), loadMs: 1000, peakRssBytes: 3 * GB, baselineBytes: 0.3 * GB, frames: 51 },
    pytorch: { stepMs: overrides.pytorchStepMs ?? 130_000, stepMsRuns: three(overrides.pytorchStepMs ?? 130_000), threads: 2 },
    engine: { threads: 2 },
    gemm: { peakGflops: 140, ortPeakGflops: 105, size: 2048, stepGflop: 9000, engineGflops: 90 },
    profile: profileOf([
      { op: 'Gemm', ms: 5600, share: 0.8 },
      { op: 'Transpose', ms: 1400, share: 0.2 },
    ]),
    profileMerged: profileOf([
      { op: 'Gemm', ms: 4600, share: 0.7 },
      { op: 'Transpose', ms: 1400, share: 0.21 },
      { op: 'Concat', ms: 600, share: 0.09 },
    ]),
    sessionOptions: [
      { variant: 'engine', label: "the engine's", pairs: 2, computeMs: 7000, computeMsRuns: three(7000), stepMs: 7100, stepMsRuns: three(7100), loadMs: 300, peakRssBytes: 0.9 * GB },
    ],
    warm: {
      coldFirstStepMs: 20_000,
      coldFirstStepMsRuns: three(20_000),
      warmFirstStepMs: 50,
      warmFirstStepMsRuns: three(50),
      coldStepMs: 101_000,
      coldStepMsRuns: three(101_000),
      warmStepMs: 100_000,
      warmStepMsRuns: three(100_000),
    },
  };
}

describe('real-size bench report', () => {
  it('judges every goal of the issue from the numbers', () => {
    const goals = realSizeGoals(results());
    expect(goals.map((goal) => [goal.what, goal.met])).toEqual([
      ['engine step ≥ 1.1× faster than PyTorch eager', true],
      ['engine ≥ 60 % of the GEMM peak', true],
      ['TDTM ≥ 95 % of its FLOP ceiling per merged step', true],
      ['LPL 15/30 end to end at the image preset ≥ 1.7×', true],
      ['CI-DL at 25 %: wall ≤ 1.05× all resident (steps in turn)', true],
      ['CI-DL at 25 %: peak RSS ≤ budget + baseline', true],
      ['T5 streamed: peak RSS ≤ two blocks + activations + baseline', true],
      ['warm engine: first step starts ≥ 5× sooner', true],
    ]);
  });

  it('reports a goal missed when the measurement misses it', () => {
    const missed = (r: RealSizeResults): string[] => realSizeGoals(r).filter((goal) => !goal.met).map((goal) => goal.what);
    expect(missed(results({ budget25StepMs: 106_000 }))).toEqual(['CI-DL at 25 %: wall ≤ 1.05× all resident (steps in turn)']);
    expect(missed(results({ budget25RssBytes: 1.8 * GB }))).toEqual(['CI-DL at 25 %: peak RSS ≤ budget + baseline']);
    expect(missed(results({ pytorchStepMs: 105_000 }))).toEqual(['engine step ≥ 1.1× faster than PyTorch eager']);
    // 100 / 85 s = 1.18× of a 1.25× ceiling: 94 %.
    expect(missed(results({ mergedStepMs: 85_000 }))).toEqual(['TDTM ≥ 95 % of its FLOP ceiling per merged step']);
    expect(missed(results({ leapMs: 110_000 }))).toEqual(['LPL 15/30 end to end at the image preset ≥ 1.7×']);
  });

  it('writes the step table, the measures and the goals as Markdown', () => {
    const text = realSizeMarkdown(results());
    expect(text).toContain('Every time is the median of 3 runs after one warm-up (range and count beside it); engine and PyTorch on 2 threads (2 physical cores).');
    expect(text).toContain('| budget 25 % | 103.0 s (101.0–104.0, 3 runs) |');
    expect(text).toContain(
      '| CI-DL, steps in turn: all resident / budget 25 % (5/30 units resident) | 100.0 s (98.0–103.0, 3 runs) / 104.0 s (101.9–107.1, 3 runs) (1.040×; loads 2.0 s, 95 % hidden) |',
    );
    expect(text).toContain(
      '| TDTM at 144p × 51 frames: normal / merged step | 100.0 s (98.0–103.0, 3 runs) / 80.0 s (78.4–82.4, 3 runs): 1.25× against a FLOP ceiling of 1.25× (9000 / 7200 GFLOP) |',
    );
    expect(text).toContain('| LPL end to end, 144p 16:9 × 1 frame (image): 30 / 16 calls | 180.0 s (179.0–185.0, 3 runs) / 100.0 s (98.0–103.0, 3 runs) (1.80×) |');
    expect(text).toContain('| LPL at 51 frames, computed: 30 steps / 16 calls (+ 60.0 s text and decode) | 3060.0 s / 1660.0 s (1.84×) |');
    expect(text).toContain('| T5-XXL block (streamed, mean of 4) / 24 blocks, computed | 1.0 s (1.0–1.0, 3 runs) / 25.0 s |');
    expect(text).toContain('| PyTorch eager step (2 threads) | 130.0 s (127.4–133.9, 3 runs) |');
    expect(text).toContain('| TDTM ≥ 95 % of its FLOP ceiling per merged step | 1.25× of 1.25× (100 %) | yes |');
    expect(text).toContain('| engine step ≥ 1.1× faster than PyTorch eager | 1.30× | yes |');
    expect(text).toContain('| GEMM 2048³ float32: PyTorch / onnxruntime (MLAS) | 140 / 105 GFLOP/s (0.75×) |');
    expect(text).toContain("| the step's matrix products in onnxruntime's profile | 80 % of kernel time at 96 GFLOP/s |");
    expect(text).toContain('| Transpose | 1400 | 20.0 % | 1400 |');
    expect(text).toContain('| Concat | 0 | 0.0 % | 600 |');
    expect(text).toContain('| all kernels | 7000 | 100 % | 6600 |');
  });
});
