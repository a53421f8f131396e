import { formatMegabytes } from '@shared/util/bytes';
import type { OpProfile } from './opProfile';

/**
 * One denoising step under one memory budget: medians of the timed steps (after one warm-up step in the same
 * process), each beside its runs.
 */
export interface StepRow {
  stepMs: number;
  stepMsRuns: number[];
  /** Sum of the units' run times (wall minus loads compute did not hide, roughly). */
  computeMs: number;
  computeMsRuns: number[];
  loadMs: number;
  loadMsRuns: number[];
  peakRssBytes: number;
  budgetBytes: number;
  activationBytes: number;
  baselineBytes: number;
  weightsBytes: number;
  residentUnits: number;
  units: number;
  /** Share of the step's load time that ran while a unit computed (CI-DL); null when nothing loaded. */
  hiddenLoadShare: number | null;
}

/**
 * bench-results/real-size.json. Every `…Ms` timing is the median of `repeats` runs after one warm-up, listed in
 * the `…MsRuns` beside it; figures under `computed` (and `t5.totalMsComputed`) are sums of measured parts.
 */
export interface RealSizeResults {
  date: string;
  repeats: number;
  machine: { cpu: string; cores: number; physicalCores: number; memoryBytes: number; platform: string; node: string; torch: string };
  preset: {
    resolution: string;
    aspect: string;
    frames: number;
    latent: { frames: number; height: number; width: number };
    textTokens: number;
    cfgBatch: number;
    prompt: string;
  };
  steps: { resident: StepRow; budget50: StepRow; budget25: StepRow; min: StepRow };
  /** All-resident and budgeted steps taken in turn in one process (so the host's drift hits both alike). */
  ciDl: {
    share: number;
    residentStepMs: number;
    residentStepMsRuns: number[];
    budgetStepMs: number;
    budgetStepMsRuns: number[];
    budgetLoadMs: number;
    budgetLoadMsRuns: number[];
    hiddenLoadShare: number | null;
    residentUnits: number;
    units: number;
  };
  /**
   * Normal and merged steps in turn, both sets resident in one process, at `preset`; the GFLOP are computed from the
   * sizes (stepFlop.ts).
   */
  tdtm: {
    preset: { resolution: string; aspect: string; frames: number; latent: { frames: number; height: number; width: number } };
    normalStepMs: number;
    normalStepMsRuns: number[];
    mergedStepMs: number;
    mergedStepMsRuns: number[];
    normalGflop: number;
    mergedGflop: number;
  };
  lpl: {
    /** Whole jobs (text → 30 steps, or leap after 15 → decode) in a warm engine, timed as the user waits. */
    endToEnd: { preset: string; fullMs: number; fullMsRuns: number[]; leapMs: number; leapMsRuns: number[]; fullCalls: number; leapCalls: number };
    /** At the main preset, computed: measured fixed costs (T5 for the full 24 blocks, VAE decode) + calls × the measured step. */
    computed: { frames: number; steps: number; leapCalls: number; fixedMs: number; fullMs: number; leapMs: number };
  };
  t5: {
    blockMs: number;
    blockMsRuns: number[];
    measuredBlocks: number;
    totalMsComputed: number;
    totalBlocks: number;
    measuredWallMs: number;
    measuredWallMsRuns: number[];
    peakRssBytes: number;
    budgetBytes: number;
    blockBytes: number;
    baselineBytes: number;
  };
  vae: { decodeMs: number; decodeMsRuns: number[]; loadMs: number; peakRssBytes: number; baselineBytes: number; frames: number };
  pytorch: { stepMs: number; stepMsRuns: number[]; threads: number };
  /** The engine's intra-op threads per session: one per physical core (cpuCores.ts); PyTorch gets as many. */
  engine: { threads: number };
  /**
   * GEMM rates: PyTorch's (its BLAS) and onnxruntime's (MLAS) on the same float32 size³ product, side by side; the
   * engine's over the whole step (the step's FLOPs / its compute) and its matrix products' own rate in the profile.
   */
  gemm: { peakGflops: number; ortPeakGflops: number; size: number; stepGflop: number; engineGflops: number };
  /** onnxruntime's profile of the short step (the first `pairs` pairs): kernel time per op type, per step. */
  profile: OpProfile & { pairs: number };
  /** The same short step with every pair's TDTM-merged graph: where TDTM's gain goes. */
  profileMerged: OpProfile & { pairs: number };
  /** The same short step (the first `pairs` block pairs) under each session-option variant. */
  sessionOptions: Array<{
    variant: string;
    label: string;
    pairs: number;
    computeMs: number;
    computeMsRuns: number[];
    stepMs: number;
    stepMsRuns: number[];
    loadMs: number;
    peakRssBytes: number;
  }>;
  /** Each run a fresh process: a cold job, then a warm one (a cold start has no warm-up). */
  warm: {
    coldFirstStepMs: number;
    coldFirstStepMsRuns: number[];
    warmFirstStepMs: number;
    warmFirstStepMsRuns: number[];
    coldStepMs: number;
    coldStepMsRuns: number[];
    warmStepMs: number;
    warmStepMsRuns: number[];
  };
}

export interface Goal {
  what: string;
  measured: string;
  met: boolean;
}

/** The issue's goals, each judged from this run's numbers. */
export function realSizeGoals(r: RealSizeResults): Goal[] {
  const b25 = r.steps.budget25;
  const t5Limit = 2 * r.t5.blockBytes + r.t5.baselineBytes;
  const tdtmRatio = r.tdtm.normalStepMs / r.tdtm.mergedStepMs;
  const tdtmCeiling = r.tdtm.normalGflop / r.tdtm.mergedGflop;
  const lplRatio = r.lpl.endToEnd.fullMs / r.lpl.endToEnd.leapMs;
  return [
    { what: 'engine step ≥ 1.1× faster than PyTorch eager', measured: `${(r.pytorch.stepMs / r.steps.resident.stepMs).toFixed(2)}×`, met: r.pytorch.stepMs / r.steps.resident.stepMs >= 1.1 },
    { what: 'engine ≥ 60 % of the GEMM peak', measured: `${((100 * r.gemm.engineGflops) / r.gemm.peakGflops).toFixed(0)} % (${r.gemm.engineGflops.toFixed(0)} of ${r.gemm.peakGflops.toFixed(0)} GFLOP/s)`, met: r.gemm.engineGflops >= 0.6 * r.gemm.peakGflops },
    {
      what: 'TDTM ≥ 95 % of its FLOP ceiling per merged step',
      measured: `${tdtmRatio.toFixed(2)}× of ${tdtmCeiling.toFixed(2)}× (${((100 * tdtmRatio) / tdtmCeiling).toFixed(0)} %)`,
      met: tdtmRatio >= 0.95 * tdtmCeiling,
    },
    { what: 'LPL 15/30 end to end at the image preset ≥ 1.7×', measured: `${lplRatio.toFixed(2)}×`, met: lplRatio >= 1.7 },
    {
      what: `CI-DL at ${(100 * r.ciDl.share).toFixed(0)} %: wall ≤ 1.05× all resident (steps in turn)`,
      measured: `${(r.ciDl.budgetStepMs / r.ciDl.residentStepMs).toFixed(3)}×`,
      met: r.ciDl.budgetStepMs <= 1.05 * r.ciDl.residentStepMs,
    },
    {
      what: 'CI-DL at 25 %: peak RSS ≤ budget + baseline',
      measured: `${formatMegabytes(b25.peakRssBytes)} vs ${formatMegabytes(b25.budgetBytes + b25.baselineBytes)}`,
      met: b25.peakRssBytes <= b25.budgetBytes + b25.baselineBytes,
    },
    {
      what: 'T5 streamed: peak RSS ≤ two blocks + activations + baseline',
      measured: `${formatMegabytes(r.t5.peakRssBytes)} vs ${formatMegabytes(t5Limit)} + activations`,
      met: r.t5.peakRssBytes <= r.t5.budgetBytes + r.t5.baselineBytes,
    },
    { what: 'warm engine: first step starts ≥ 5× sooner', measured: `${(r.warm.coldFirstStepMs / Math.max(1, r.warm.warmFirstStepMs)).toFixed(0)}×`, met: r.warm.coldFirstStepMs >= 5 * r.warm.warmFirstStepMs },
  ];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
/** A median and the runs it summarizes: "68.5 s (67.9–70.1, 3 runs)". */
const spread = (ms: number, runs: readonly number[]): string =>
  runs.length === 0 ? seconds(ms) : `${seconds(ms)} (${(Math.min(...runs) / 1000).toFixed(1)}–${(Math.max(...runs) / 1000).toFixed(1)}, ${runs.length} runs)`;

/** Ops with at least 0.5 % of either step's kernel time, by the normal step's time. */
function profileRows(normal: OpProfile, merged: OpProfile): Array<{ op: string; normalMs: number; share: number; mergedMs: number }> {
  const ops = new Set([...normal.opMs, ...merged.opMs].filter((row) => row.share >= 0.005).map((row) => row.op));
  const find = (profile: OpProfile, op: string): { ms: number; share: number } => profile.opMs.find((row) => row.op === op) ?? { ms: 0, share: 0 };
  return [...ops]
    .map((op) => ({ op, normalMs: find(normal, op).ms, share: find(normal, op).share, mergedMs: find(merged, op).ms }))
    .sort((a, b) => b.normalMs - a.normalMs);
}

export function realSizeMarkdown(r: RealSizeResults): string {
  const rows: Array<[string, StepRow]> = [
    ['all resident', r.steps.resident],
    ['budget 50 %', r.steps.budget50],
    ['budget 25 %', r.steps.budget25],
    ['smallest budget', r.steps.min],
  ];
  const lines = [
    `# Real-size bench (${r.date})`,
    '',
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${formatMegabytes(r.machine.memoryBytes)}, ${r.machine.platform}, Node ${r.machine.node}, PyTorch ${r.machine.torch}.`,
    `Clip: ${r.preset.resolution} ${r.preset.aspect}, ${r.preset.frames} frames (latent ${r.preset.latent.frames} × ${r.preset.latent.height} × ${r.preset.latent.width}), ` +
      `CFG batch ${r.preset.cfgBatch}, ${r.preset.textTokens} caption tokens. Weights random at Open-Sora 1.2's real sizes.`,
    `Every time is the median of ${r.repeats} runs after one warm-up (range and count beside it); engine and PyTorch on ${r.engine.threads} threads ` +
      `(${r.machine.physicalCores} physical cores). Rows marked computed add measured parts.`,
    '',
    '| denoising step | wall | compute | loads | hidden loads | resident units | peak RSS | budget | activations | baseline |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ([name, row]) =>
        `| ${name} | ${spread(row.stepMs, row.stepMsRuns)} | ${seconds(row.computeMs)} | ${seconds(row.loadMs)} | ${row.hiddenLoadShare === null ? '—' : `${(row.hiddenLoadShare * 100).toFixed(0)} %`} | ` +
        `${row.residentUnits}/${row.units} | ${formatMegabytes(row.peakRssBytes)} | ${formatMegabytes(row.budgetBytes)} | ${formatMegabytes(row.activationBytes)} | ${formatMegabytes(row.baselineBytes)} |`,
    ),
    '',
    '| measure | value |',
    '| --- | --- |',
    `| CI-DL, steps in turn: all resident / budget ${(100 * r.ciDl.share).toFixed(0)} % (${r.ciDl.residentUnits}/${r.ciDl.units} units resident) | ` +
      `${spread(r.ciDl.residentStepMs, r.ciDl.residentStepMsRuns)} / ${spread(r.ciDl.budgetStepMs, r.ciDl.budgetStepMsRuns)} ` +
      `(${(r.ciDl.budgetStepMs / r.ciDl.residentStepMs).toFixed(3)}×; loads ${seconds(r.ciDl.budgetLoadMs)}` +
      `${r.ciDl.hiddenLoadShare === null ? '' : `, ${(100 * r.ciDl.hiddenLoadShare).toFixed(0)} % hidden`}) |`,
    `| TDTM at ${r.tdtm.preset.resolution} × ${r.tdtm.preset.frames} frames: normal / merged step | ${spread(r.tdtm.normalStepMs, r.tdtm.normalStepMsRuns)} / ` +
      `${spread(r.tdtm.mergedStepMs, r.tdtm.mergedStepMsRuns)}: ${(r.tdtm.normalStepMs / r.tdtm.mergedStepMs).toFixed(2)}× against a FLOP ceiling of ` +
      `${(r.tdtm.normalGflop / r.tdtm.mergedGflop).toFixed(2)}× (${r.tdtm.normalGflop.toFixed(0)} / ${r.tdtm.mergedGflop.toFixed(0)} GFLOP) |`,
    `| LPL end to end, ${r.lpl.endToEnd.preset}: ${r.lpl.endToEnd.fullCalls} / ${r.lpl.endToEnd.leapCalls} calls | ${spread(r.lpl.endToEnd.fullMs, r.lpl.endToEnd.fullMsRuns)} / ` +
      `${spread(r.lpl.endToEnd.leapMs, r.lpl.endToEnd.leapMsRuns)} (${(r.lpl.endToEnd.fullMs / r.lpl.endToEnd.leapMs).toFixed(2)}×) |`,
    `| LPL at ${r.lpl.computed.frames} frames, computed: ${r.lpl.computed.steps} steps / ${r.lpl.computed.leapCalls} calls (+ ${seconds(r.lpl.computed.fixedMs)} text and decode) | ` +
      `${seconds(r.lpl.computed.fullMs)} / ${seconds(r.lpl.computed.leapMs)} (${(r.lpl.computed.fullMs / r.lpl.computed.leapMs).toFixed(2)}×) |`,
    `| T5-XXL block (streamed, mean of ${r.t5.measuredBlocks}) / ${r.t5.totalBlocks} blocks, computed | ${spread(r.t5.blockMs, r.t5.blockMsRuns)} / ${seconds(r.t5.totalMsComputed)} |`,
    `| T5 peak RSS / budget + baseline | ${formatMegabytes(r.t5.peakRssBytes)} / ${formatMegabytes(r.t5.budgetBytes + r.t5.baselineBytes)} |`,
    `| VAE decode of ${r.vae.frames} frames / peak RSS | ${spread(r.vae.decodeMs, r.vae.decodeMsRuns)} / ${formatMegabytes(r.vae.peakRssBytes)} |`,
    `| PyTorch eager step (${r.pytorch.threads} threads) | ${spread(r.pytorch.stepMs, r.pytorch.stepMsRuns)} |`,
    `| GEMM peak / engine step | ${r.gemm.peakGflops.toFixed(0)} / ${r.gemm.engineGflops.toFixed(0)} GFLOP/s (${r.gemm.stepGflop.toFixed(0)} GFLOP per step) |`,
    `| GEMM ${r.gemm.size}³ float32: PyTorch / onnxruntime (MLAS) | ${r.gemm.peakGflops.toFixed(0)} / ${r.gemm.ortPeakGflops.toFixed(0)} GFLOP/s (${(r.gemm.ortPeakGflops / r.gemm.peakGflops).toFixed(2)}×) |`,
    `| the step's matrix products in onnxruntime's profile | ${(100 * r.profile.matmulShare).toFixed(0)} % of kernel time at ${r.profile.matmulGflops.toFixed(0)} GFLOP/s |`,
    `| first step starts: cold / warm engine | ${spread(r.warm.coldFirstStepMs, r.warm.coldFirstStepMsRuns)} / ${spread(r.warm.warmFirstStepMs, r.warm.warmFirstStepMsRuns)} |`,
    '',
    `Session options, a step of the embedder, the first ${r.sessionOptions[0]?.pairs ?? 0} block pairs and the final layer, all resident:`,
    '',
    '| session options | step | compute | load | peak RSS |',
    '| --- | --- | --- | --- | --- |',
    ...r.sessionOptions.map((row) => `| ${row.label} | ${spread(row.stepMs, row.stepMsRuns)} | ${seconds(row.computeMs)} | ${seconds(row.loadMs)} | ${formatMegabytes(row.peakRssBytes)} |`),
    '',
    `Where the short step's kernel time goes (onnxruntime's profiler, ${r.profile.pairs} block pairs, per step, the ${r.profile.runsPerSession} timed runs after a warm-up), ` +
      'normal and TDTM-merged:',
    '',
    '| op | normal: ms per step | share | merged: ms per step |',
    '| --- | --- | --- | --- |',
    ...profileRows(r.profile, r.profileMerged).map((row) => `| ${row.op} | ${row.normalMs.toFixed(0)} | ${(100 * row.share).toFixed(1)} % | ${row.mergedMs.toFixed(0)} |`),
    `| all kernels | ${r.profile.kernelMs.toFixed(0)} | 100 % | ${r.profileMerged.kernelMs.toFixed(0)} |`,
    '',
    '| goal | measured | met |',
    '| --- | --- | --- |',
    ...realSizeGoals(r).map((goal) => `| ${goal.what} | ${goal.measured} | ${goal.met ? 'yes' : 'no'} |`),
    '',
  ];
  return lines.join('\n');
}
