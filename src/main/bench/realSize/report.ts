import { formatMegabytes } from '@shared/util/bytes';

/** One denoising step under one memory budget (the last step the probe ran). */
export interface StepRow {
  stepMs: number;
  /** Sum of the units' run times (wall minus loads compute did not hide, roughly). */
  computeMs: number;
  loadMs: number;
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

/** bench-results/real-size.json. */
export interface RealSizeResults {
  date: string;
  machine: { cpu: string; cores: number; memoryBytes: number; platform: string; node: string; torch: string };
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
  tdtm: { normalStepMs: number; mergedStepMs: number };
  /** From measured step times plus measured fixed costs (T5 for the full 24 blocks, VAE decode). */
  lpl: { steps: number; leapCalls: number; fixedMs: number; fullMs: number; leapMs: number };
  t5: {
    blockMs: number;
    measuredBlocks: number;
    totalMs: number;
    totalBlocks: number;
    measuredWallMs: number;
    peakRssBytes: number;
    budgetBytes: number;
    blockBytes: number;
    baselineBytes: number;
  };
  vae: { decodeMs: number; loadMs: number; peakRssBytes: number; baselineBytes: number; frames: number };
  pytorch: { stepMs: number; threads: number };
  gemm: { peakGflops: number; stepGflop: number; engineGflops: number };
  /** The same short step (the first `pairs` block pairs) under each session-option variant. */
  sessionOptions: Array<{ variant: string; label: string; pairs: number; computeMs: number; stepMs: number; loadMs: number; peakRssBytes: number }>;
  warm: { coldFirstStepMs: number; warmFirstStepMs: number; coldStepMs: number; warmStepMs: number };
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
  return [
    { what: 'engine step ≥ 1.2× faster than PyTorch eager', measured: `${(r.pytorch.stepMs / r.steps.resident.stepMs).toFixed(2)}×`, met: r.pytorch.stepMs / r.steps.resident.stepMs >= 1.2 },
    { what: 'engine ≥ 60 % of the GEMM peak', measured: `${((100 * r.gemm.engineGflops) / r.gemm.peakGflops).toFixed(0)} % (${r.gemm.engineGflops.toFixed(0)} of ${r.gemm.peakGflops.toFixed(0)} GFLOP/s)`, met: r.gemm.engineGflops >= 0.6 * r.gemm.peakGflops },
    { what: 'TDTM ≥ 1.3× per merged step', measured: `${(r.tdtm.normalStepMs / r.tdtm.mergedStepMs).toFixed(2)}×`, met: r.tdtm.normalStepMs / r.tdtm.mergedStepMs >= 1.3 },
    { what: 'CI-DL at 25 %: wall ≤ 1.05× all resident', measured: `${(b25.stepMs / r.steps.resident.stepMs).toFixed(3)}×`, met: b25.stepMs <= 1.05 * r.steps.resident.stepMs },
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
    '',
    '| denoising step | wall | compute | loads | hidden loads | resident units | peak RSS | budget | activations | baseline |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ([name, row]) =>
        `| ${name} | ${seconds(row.stepMs)} | ${seconds(row.computeMs)} | ${seconds(row.loadMs)} | ${row.hiddenLoadShare === null ? '—' : `${(row.hiddenLoadShare * 100).toFixed(0)} %`} | ` +
        `${row.residentUnits}/${row.units} | ${formatMegabytes(row.peakRssBytes)} | ${formatMegabytes(row.budgetBytes)} | ${formatMegabytes(row.activationBytes)} | ${formatMegabytes(row.baselineBytes)} |`,
    ),
    '',
    '| measure | value |',
    '| --- | --- |',
    `| TDTM: normal / merged step | ${seconds(r.tdtm.normalStepMs)} / ${seconds(r.tdtm.mergedStepMs)} (${(r.tdtm.normalStepMs / r.tdtm.mergedStepMs).toFixed(2)}×) |`,
    `| LPL: ${r.lpl.steps} steps / ${r.lpl.leapCalls} calls (+ ${seconds(r.lpl.fixedMs)} text and decode) | ${seconds(r.lpl.fullMs)} / ${seconds(r.lpl.leapMs)} (${(r.lpl.fullMs / r.lpl.leapMs).toFixed(2)}×) |`,
    `| T5-XXL block (streamed, mean of ${r.t5.measuredBlocks}) / ${r.t5.totalBlocks} blocks | ${seconds(r.t5.blockMs)} / ${seconds(r.t5.totalMs)} |`,
    `| T5 peak RSS / budget + baseline | ${formatMegabytes(r.t5.peakRssBytes)} / ${formatMegabytes(r.t5.budgetBytes + r.t5.baselineBytes)} |`,
    `| VAE decode of ${r.vae.frames} frames / peak RSS | ${seconds(r.vae.decodeMs)} / ${formatMegabytes(r.vae.peakRssBytes)} |`,
    `| PyTorch eager step (${r.pytorch.threads} threads) | ${seconds(r.pytorch.stepMs)} |`,
    `| GEMM peak / engine step | ${r.gemm.peakGflops.toFixed(0)} / ${r.gemm.engineGflops.toFixed(0)} GFLOP/s (${r.gemm.stepGflop.toFixed(0)} GFLOP per step) |`,
    `| first step starts: cold / warm engine | ${seconds(r.warm.coldFirstStepMs)} / ${seconds(r.warm.warmFirstStepMs)} |`,
    '',
    `Session options, a step of the embedder, the first ${r.sessionOptions[0]?.pairs ?? 0} block pairs and the final layer, all resident (median after a warm-up):`,
    '',
    '| session options | step | compute | load | peak RSS |',
    '| --- | --- | --- | --- | --- |',
    ...r.sessionOptions.map((row) => `| ${row.label} | ${seconds(row.stepMs)} | ${seconds(row.computeMs)} | ${seconds(row.loadMs)} | ${formatMegabytes(row.peakRssBytes)} |`),
    '',
    '| goal | measured | met |',
    '| --- | --- | --- |',
    ...realSizeGoals(r).map((goal) => `| ${goal.what} | ${goal.measured} | ${goal.met ? 'yes' : 'no'} |`),
    '',
  ];
  return lines.join('\n');
}
