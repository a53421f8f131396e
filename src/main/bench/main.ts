import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerateRequest, GenerationSummary } from '@shared/domain/generation';
import { DYNAMIC_LPL_DEFAULTS } from '@shared/domain/lpl';
import { formatMegabytes } from '@shared/util/bytes';
import { EngineClient } from '../engine-host/engineClient';
import type { EngineGenerateParams } from '../engine-host/engineRequests';
import { launchNodeEngine } from '../engine-host/nodeEngineConnection';
import { listed, median } from './stats';
import { runRealSizeBench } from './realSize/realSizeBench';
import { realSizeGoals } from './realSize/report';
import { runPrecisionBench } from './precision/precisionBench';

/**
 * `npm run bench [-- --model PATH] [--repeats N] [--steps K] [--out FILE]`: the speed and memory targets, measured
 * side by side in one run. `npm run bench -- --real-size [--model PATH] [--checkpoints DIR] [--repeats N]
 * [--tdtm-preset 144p|240p]`: Open-Sora 1.2 at its real sizes (realSize/realSizeBench.ts). Every configuration runs
 * in a fresh engine process (so peak RSS is its own), N ≥ 3 times: a cold job (the warm-up), then the measured job
 * in the warm engine; each figure is the median of the N measured jobs, listed beside it (`…MsRuns`), and ratios
 * are against the plain 30-step, all-resident baseline measured in the same run.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

interface BenchConfig {
  name: string;
  what: string;
  request: Partial<GenerateRequest>;
  schedule?: 'concurrent' | 'sequential';
}

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** `--repeats N` (default 3): every figure is a median, which needs three runs. */
function repeatsArg(): number {
  const repeats = Number(arg('--repeats') ?? 3);
  if (!Number.isInteger(repeats) || repeats < 3) {
    throw new Error(`--repeats must be a whole number of at least 3 (a median needs three runs); got ${arg('--repeats')}`);
  }
  return repeats;
}

/**
 * One fresh engine process per run: a cold job (it loads every session), then the measured job of the same
 * configuration with another seed in the now warm engine (what a studio user iterating on a prompt gets).
 */
async function runOnce(config: BenchConfig, base: GenerateRequest): Promise<{ cold: GenerationSummary; warm: GenerationSummary }> {
  const engine = new EngineClient({ launch: () => launchNodeEngine(path.join(here, 'engineProcess.js')), restart: false });
  engine.start();
  try {
    const job = async (seed: number): Promise<GenerationSummary> => {
      const params: EngineGenerateParams = { request: { ...base, ...config.request, seed }, schedule: config.schedule };
      return (await engine.request<{ summary: GenerationSummary }>('generate', params)).summary;
    };
    const cold = await job(base.seed ?? 42);
    const warm = await job((base.seed ?? 42) + 1);
    return { cold, warm };
  } finally {
    engine.dispose();
  }
}

async function main(): Promise<void> {
  const steps = Number(arg('--steps') ?? 30);
  const repeats = repeatsArg();
  const half = Math.floor(steps / 2);
  const base: GenerateRequest = { prompt: 'a yellow square moving up on a black background', seed: 42, steps, ...(arg('--model') ? { modelPath: arg('--model') } : {}) };
  const configs: BenchConfig[] = [
    { name: 'baseline', what: `${steps} steps, all resident, CI on`, request: {} },
    { name: 'lpl-fixed', what: `LPL leap at ${half} (${half + 1}/${steps} calls)`, request: { lpl: { kind: 'fixed', leapStep: half } } },
    { name: 'lpl-dynamic', what: `LPL dynamic (${DYNAMIC_LPL_DEFAULTS.minimumStep} / ${DYNAMIC_LPL_DEFAULTS.tolerance} / ${DYNAMIC_LPL_DEFAULTS.patience})`, request: { lpl: { kind: 'dynamic', ...DYNAMIC_LPL_DEFAULTS } } },
    { name: 'tdtm', what: `TDTM first ${half} steps`, request: { tdtmMergedSteps: half } },
    { name: 'tdtm-all', what: `TDTM all ${steps} steps`, request: { tdtmMergedSteps: steps } },
    { name: 'min-sequential', what: 'smallest budget, load→run→release (no CI)', request: { memoryBudget: { kind: 'min' } }, schedule: 'sequential' },
    { name: 'min-ci', what: 'smallest budget, CI-DL (prefetch i+1 while i runs)', request: { memoryBudget: { kind: 'min' } }, schedule: 'concurrent' },
    { name: 'all-techniques', what: `LPL ${half} + TDTM ${half} + CI-DL at smallest budget`, request: { lpl: { kind: 'fixed', leapStep: half }, tdtmMergedSteps: half, memoryBudget: { kind: 'min' } } },
  ];
  const rows: Array<{ config: BenchConfig; runs: GenerationSummary[]; coldRuns: GenerationSummary[] }> = configs.map((config) => ({ config, runs: [], coldRuns: [] }));
  // Round-robin over configurations, so slow drift of the machine (other load, thermals) hits all of them alike.
  for (let r = 0; r < repeats; r++) {
    for (const row of rows) {
      process.stderr.write(`\rround ${r + 1}/${repeats}: ${row.config.name}…\x1b[K`);
      const { cold, warm } = await runOnce(row.config, base);
      row.coldRuns.push(cold);
      row.runs.push(warm);
    }
  }
  process.stderr.write('\r\x1b[K');
  const baseline = rows[0].runs;
  const baseDenoise = median(baseline.map((run) => run.timingsMs.denoise));
  const baseTotal = median(baseline.map((run) => run.timingsMs.total));
  const table = rows.map(({ config, runs, coldRuns }) => {
    const denoiseMsRuns = runs.map((run) => run.timingsMs.denoise);
    const totalMsRuns = runs.map((run) => run.timingsMs.total);
    const denoiseMs = median(denoiseMsRuns);
    const totalMs = median(totalMsRuns);
    return {
      name: config.name,
      what: config.what,
      modelCalls: median(runs.map((run) => run.stepsRun)),
      denoiseMs,
      denoiseMsRuns: listed(denoiseMsRuns),
      totalMs,
      totalMsRuns: listed(totalMsRuns),
      msPerStep: median(runs.map((run) => median(run.stepLatencyMs))),
      denoiseSpeedup: baseDenoise / denoiseMs,
      totalSpeedup: baseTotal / totalMs,
      loadMs: median(runs.map((run) => run.timingsMs.load)),
      loadMsRuns: listed(runs.map((run) => run.timingsMs.load)),
      coldTotalMs: median(coldRuns.map((run) => run.timingsMs.total)),
      coldTotalMsRuns: listed(coldRuns.map((run) => run.timingsMs.total)),
      coldLoadMs: median(coldRuns.map((run) => run.timingsMs.load)),
      coldLoadMsRuns: listed(coldRuns.map((run) => run.timingsMs.load)),
      // Per-step latencies of each measured run: a fixed cost per job shows as a slow first step.
      stepLatencyMs: runs.map((run) => listed(run.stepLatencyMs)),
      peakRssBytes: Math.max(...runs.map((run) => run.peakRssBytes)),
      peakResidentBytes: Math.max(...runs.map((run) => run.peakResidentBytes)),
      budgetBytes: runs[0].memoryBudgetBytes,
    };
  });
  const header = ['config', 'calls', 'ms/step', 'denoise ms', 'load ms', 'total ms', 'denoise ×', 'total ×', 'cold total ms', 'cold load ms', 'peak RSS', 'peak resident', 'budget'];
  const lines = table.map((row) => [
    row.name,
    row.modelCalls.toFixed(1),
    row.msPerStep.toFixed(1),
    row.denoiseMs.toFixed(0),
    row.loadMs.toFixed(0),
    row.totalMs.toFixed(0),
    row.denoiseSpeedup.toFixed(2),
    row.totalSpeedup.toFixed(2),
    row.coldTotalMs.toFixed(0),
    row.coldLoadMs.toFixed(0),
    formatMegabytes(row.peakRssBytes),
    formatMegabytes(row.peakResidentBytes),
    formatMegabytes(row.budgetBytes),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const render = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  process.stdout.write(`${render(header)}\n${lines.map(render).join('\n')}\n`);
  // Whole-job wall times: the sequential run's loads sit outside `denoise` (as "load"), so a denoise ratio would hide them.
  const ciGain = table.find((row) => row.name === 'min-sequential')!.totalMs / table.find((row) => row.name === 'min-ci')!.totalMs;
  const rssSaving = 1 - table.find((row) => row.name === 'min-ci')!.peakRssBytes / table[0].peakRssBytes;
  process.stdout.write(`\nCI-DL at the smallest budget vs sequential loading: ${ciGain.toFixed(2)}× whole-job speed; peak RSS ${(rssSaving * 100).toFixed(0)}% below all-resident.\n`);
  const outFile = arg('--out') ?? path.resolve('bench-results.json');
  fs.writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), repeats, steps, base, table, ciGain, rssSaving }, null, 2)}\n`);
  process.stdout.write(
    `results: ${outFile} (${repeats} runs per configuration, medians, the runs listed as …MsRuns; each run in a fresh engine process: ` +
      'a cold job (the warm-up), then the measured job warm; "denoise" is compute: load time no compute hid is "load"; CI-DL compares whole jobs)\n',
  );
}

async function realSize(): Promise<void> {
  const model = path.resolve(arg('--model') ?? 'bench-data/opensora-1.2-random');
  const tdtmPreset = arg('--tdtm-preset') ?? '144p';
  if (tdtmPreset !== '144p' && tdtmPreset !== '240p') {
    throw new Error(`--tdtm-preset must be 144p (51 frames) or 240p (102 frames); got ${tdtmPreset}`);
  }
  const results = await runRealSizeBench({
    modelPath: model,
    stditCheckpoint: path.resolve(arg('--checkpoints') ?? `${model}-checkpoints`, 'stdit'),
    outDir: path.resolve(arg('--out-dir') ?? 'bench-results'),
    probeEntry: path.join(here, 'benchProbe.js'),
    python: process.env.STUDIO_PYTHON ?? 'python3',
    pytorchScript: path.resolve(here, '..', '..', 'models', 'tools', 'opensora', 'bench_pytorch.py'),
    repeats: repeatsArg(),
    tdtmPreset,
  });
  for (const goal of realSizeGoals(results)) {
    process.stdout.write(`${goal.met ? 'met   ' : 'missed'}  ${goal.what}: ${goal.measured}\n`);
  }
  process.stdout.write(`results: ${path.resolve(arg('--out-dir') ?? 'bench-results')}/real-size.{json,md}\n`);
}

/** `--precision --model FP16_DIR --reference FP32_DIR`: an fp16 package against its fp32 twin (precision/precisionBench.ts). */
async function precision(): Promise<void> {
  const modelPath = arg('--model');
  const referencePath = arg('--reference');
  if (!modelPath || !referencePath) {
    throw new Error('--precision needs --model (the fp16 package) and --reference (the fp32 package of the same checkpoints)');
  }
  const repeats = repeatsArg();
  const outFile = path.resolve(arg('--out') ?? 'bench-results/precision.json');
  const result = await runPrecisionBench({
    modelPath: path.resolve(modelPath),
    referencePath: path.resolve(referencePath),
    repeats,
    prompt: 'a red fox running through fresh snow at dawn',
    clip: { resolution: arg('--resolution') ?? '144p', aspect: '16:9', frames: Number(arg('--frames') ?? 51) },
    outFile,
  });
  process.stdout.write(`${JSON.stringify(result.differences)}\nresults: ${outFile}\n`);
}

const mode = process.argv.includes('--real-size') ? realSize : process.argv.includes('--precision') ? precision : main;
mode().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
