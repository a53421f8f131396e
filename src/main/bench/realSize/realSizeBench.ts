import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineProcessEnv } from '../../engine-host/engineConnection';
import { readModelPackage } from '../../engine/package/modelPackage';
import { listed, median } from '../stats';
import { engineThreadCount, physicalCoreCount } from '../../engine/runtime/cpuCores';
import { SESSION_OPTION_LABELS, SESSION_OPTION_VARIANTS } from './sessionOptionVariants';
import type { BudgetPairProbeResult, DecodeProbeResult, GemmProbeResult, JobsProbeResult, ProfileProbeResult, OptionsProbeResult, ProbeContext, ProbeResult, ProbeSpec, StepsProbeResult, TdtmProbeResult, TextProbeResult, WarmProbeResult } from './probe';
import { realSizeMarkdown, type RealSizeResults, type StepRow } from './report';
import { stepFlop, type StepSizes } from './stepFlop';

/**
 * `npm run bench -- --real-size`: the engine at Open-Sora 1.2's real sizes (a package with random weights made by
 * `npm run import-model:python -- --random --config opensora-1.2`), one measurement at a time, each in a fresh process,
 * against the same step in PyTorch eager. Writes bench-results/real-size.json and real-size.md.
 */
export interface RealSizeOptions {
  readonly modelPath: string;
  /** The STDiT3 checkpoint folder the package was imported from (the PyTorch step reads it). */
  readonly stditCheckpoint: string;
  readonly outDir: string;
  readonly probeEntry: string;
  readonly python: string;
  readonly pytorchScript: string;
  /** Timed runs of every measurement, each after one warm-up (at least 3). */
  readonly repeats: number;
  /** The clip TDTM is measured at: the main preset, or 240p 16:9 × 102 frames (long). */
  readonly tdtmPreset: '144p' | '240p';
}

/** The full T5-XXL's blocks: the streamed text time is extrapolated from the package's real-size blocks. */
const T5_XXL_BLOCKS = 24;
const LPL = { steps: 30, leapStep: 15 } as const;
/** The session-option comparison runs a short step: the first pairs at the real widths. */
const OPTIONS_PAIRS = 2;
const CFG_BATCH = 2;
/** The budget the CI-DL goal is judged at: a quarter of the denoiser's weights (plus the activations). */
const CI_DL_SHARE = 0.25;
/** PyTorch's GEMM peak is the best of 8 products of this size (models/tools/opensora/bench_pytorch.py); ORT's the same. */
const GEMM_SIZE = 2048;
const GEMM_RUNS = 8;
const CONTEXT: Omit<ProbeContext, 'modelPath'> = {
  prompt: 'a red fox running through fresh snow at golden hour, cinematic wide shot',
  clip: { resolution: '144p', aspect: '16:9', frames: 51 },
};
/** LPL's whole jobs run at the image preset: 30 full jobs at 51 frames would take hours here. */
const LPL_CLIP = { resolution: '144p', aspect: '16:9', frames: 1 } as const;
const TDTM_CLIPS = { '144p': CONTEXT.clip, '240p': { resolution: '240p', aspect: '16:9', frames: 102 } } as const;

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Runs a child, returns the last JSON line of its stdout (stderr passes through). */
function runJson<T>(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = stdout.trim().split('\n').reverse().find((text) => text.startsWith('{'));
      if (code !== 0 || !line) {
        reject(new Error(`${path.basename(args[0] ?? command)} exited with ${signal ?? code}${line ? '' : ' and no result'}`));
        return;
      }
      resolve(JSON.parse(line) as T);
    });
  });
}

export async function runRealSizeBench(options: RealSizeOptions): Promise<RealSizeResults> {
  if (!Number.isInteger(options.repeats) || options.repeats < 3) {
    throw new Error(`--repeats must be a whole number of at least 3 (a median needs three runs); got ${options.repeats}`);
  }
  const { repeats } = options;
  for (const [what, where, how] of [
    ['package', path.join(options.modelPath, 'manifest.json'), 'mkdir -p bench-data && npm run import-model:python -- --random --config opensora-1.2 --out bench-data/opensora-1.2-random --keep-checkpoints bench-data/opensora-1.2-random-checkpoints'],
    ['STDiT3 checkpoint', path.join(options.stditCheckpoint, 'model.safetensors'), 'the same command (--keep-checkpoints)'],
  ] as const) {
    if (!fs.existsSync(where)) {
      throw new Error(`The real-size ${what} is missing (${where}). Make it with: ${how}`);
    }
  }
  const context: ProbeContext = { ...CONTEXT, modelPath: options.modelPath };
  // The engine's intra-op threads per session (one per physical core); PyTorch gets as many.
  const threads = engineThreadCount();
  const probe = async <T extends ProbeResult>(label: string, spec: ProbeSpec, clip: ProbeContext['clip'] = context.clip): Promise<T> => {
    log(`${label}…`);
    const started = Date.now();
    const result = await runJson<T>(process.execPath, [options.probeEntry, JSON.stringify(spec), JSON.stringify({ ...context, clip })], engineProcessEnv(process.env));
    log(`${label}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return result;
  };
  const pytorch = async (label: string, args: readonly string[]): Promise<PytorchResult> => {
    log(`${label}…`);
    const result = await runJson<PytorchResult>(options.python, [options.pytorchScript, ...args], { ...process.env, OMP_NUM_THREADS: String(threads) });
    log(`${label}: done`);
    return result;
  };

  const gemm = await pytorch('GEMM peak (PyTorch, fp32)', ['--gemm-only', '--threads', String(threads)]);
  const ortGemm = await probe<GemmProbeResult>('GEMM peak (onnxruntime, fp32)', { kind: 'gemm', size: GEMM_SIZE, runs: GEMM_RUNS });
  const sessionOptions: OptionsProbeResult[] = [];
  for (const variant of SESSION_OPTION_VARIANTS) {
    sessionOptions.push(await probe<OptionsProbeResult>(`session options: ${variant}`, { kind: 'options', variant, pairs: OPTIONS_PAIRS, steps: repeats }));
  }
  const profiled = await probe<ProfileProbeResult>('profile of the short step', { kind: 'profile', pairs: OPTIONS_PAIRS, steps: repeats, merged: false });
  const profiledMerged = await probe<ProfileProbeResult>('profile of the short step, TDTM-merged', { kind: 'profile', pairs: OPTIONS_PAIRS, steps: repeats, merged: true });
  // Every steps probe runs one warm-up step and `repeats` timed ones in one process.
  const stepsSpec = (budget: Extract<ProbeSpec, { kind: 'steps' }>['budget'], merged: boolean): ProbeSpec => ({ kind: 'steps', budget, merged, steps: 1 + repeats });
  const resident = await probe<StepsProbeResult>('step, all resident', stepsSpec({ kind: 'all' }, false));
  // Right after the engine's step, so that the host's drift over the run does not enter the ratio.
  const torchStep = await pytorch('the same step in PyTorch eager', [
    '--stdit', options.stditCheckpoint,
    '--frames', String(resident.latent.frames),
    '--height', String(resident.latent.height),
    '--width', String(resident.latent.width),
    '--text-len', String(resident.textTokens),
    '--threads', String(threads),
    '--repeats', String(repeats),
  ]);
  const budget50 = await probe<StepsProbeResult>('step, budget 50 %', stepsSpec({ kind: 'share', share: 0.5 }, false));
  const budget25 = await probe<StepsProbeResult>('step, budget 25 %', stepsSpec({ kind: 'share', share: 0.25 }, false));
  const min = await probe<StepsProbeResult>('step, smallest budget', stepsSpec({ kind: 'min' }, false));
  const ciDl = await probe<BudgetPairProbeResult>('CI-DL: all-resident and 25 % budget steps in turn', { kind: 'budgetPair', share: CI_DL_SHARE, pairs: repeats });
  const tdtmClip = TDTM_CLIPS[options.tdtmPreset];
  const tdtm = await probe<TdtmProbeResult>(`TDTM: normal and merged steps in turn at ${options.tdtmPreset}, both resident`, { kind: 'tdtm', pairs: repeats }, tdtmClip);
  const text = await probe<TextProbeResult>('T5-XXL blocks, streamed at the smallest budget', { kind: 'text', budget: { kind: 'min' }, runs: repeats });
  const decode = await probe<DecodeProbeResult>('VAE decode', { kind: 'decode', runs: repeats });
  // A cold start cannot be warmed up: each run is a fresh process (its second job is the warm one).
  const warms: WarmProbeResult[] = [];
  for (let run = 0; run < repeats; run++) {
    warms.push(await probe<WarmProbeResult>(`warm engine: two jobs (${run + 1}/${repeats})`, { kind: 'warm' }));
  }
  const jobs = await probe<JobsProbeResult>(`LPL end to end: whole jobs at the ${LPL_CLIP.resolution} image preset`, { kind: 'jobs', leapStep: LPL.leapStep, runs: repeats }, LPL_CLIP);

  const stepRow = (result: StepsProbeResult): StepRow => {
    const timed = result.steps.slice(1);
    return {
      stepMs: median(timed.map((step) => step.wallMs)),
      stepMsRuns: listed(timed.map((step) => step.wallMs)),
      computeMs: median(timed.map((step) => step.computeMs)),
      computeMsRuns: listed(timed.map((step) => step.computeMs)),
      loadMs: median(timed.map((step) => step.loadMs)),
      loadMsRuns: listed(timed.map((step) => step.loadMs)),
      peakRssBytes: result.peakRssBytes,
      budgetBytes: result.budgetBytes,
      activationBytes: result.activationBytes,
      baselineBytes: result.baselineRssBytes,
      weightsBytes: result.weightsBytes,
      residentUnits: result.residentCount,
      units: result.unitCount,
      hiddenLoadShare: hiddenShare(timed.map((step) => step.loadMs), timed.map((step) => step.hiddenLoadMs)),
    };
  };
  const { denoiser } = readModelPackage(options.modelPath).manifest;
  const sizesOf = (result: Pick<StepsProbeResult, 'latent' | 'textTokens'>): StepSizes => ({
    hiddenSize: denoiser.hiddenSize,
    depth: denoiser.depth,
    patchSize: denoiser.patchSize,
    captionChannels: denoiser.captionChannels,
    latent: result.latent,
    textTokens: result.textTokens,
    cfgBatch: CFG_BATCH,
  });
  const gflop = (result: Pick<StepsProbeResult, 'latent' | 'textTokens'>, isMerged: boolean): number => stepFlop(sizesOf(result), { merged: isMerged }) / 1e9;
  const blockMsRuns = text.runs.map((run) => run.blockMs);
  const blockMs = median(blockMsRuns);
  const t5TotalMs = median(text.runs.map((run) => run.otherMs)) + T5_XXL_BLOCKS * blockMs;
  const residentRow = stepRow(resident);
  const decodeMs = median(decode.wallMsRuns);
  const fixedMs = t5TotalMs + decodeMs;
  const warmField = (pick: (row: WarmProbeResult) => number): number[] => listed(warms.map(pick));
  const results: RealSizeResults = {
    date: new Date().toISOString(),
    repeats,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      physicalCores: physicalCoreCount(),
      memoryBytes: os.totalmem(),
      platform: `${process.platform} ${os.release()} ${process.arch}`,
      node: process.version,
      torch: gemm.torch,
    },
    preset: { ...CONTEXT.clip, latent: resident.latent, textTokens: resident.textTokens, cfgBatch: CFG_BATCH, prompt: CONTEXT.prompt },
    steps: { resident: residentRow, budget50: stepRow(budget50), budget25: stepRow(budget25), min: stepRow(min) },
    ciDl: {
      share: ciDl.share,
      residentStepMs: median(ciDl.residentStepMsRuns),
      residentStepMsRuns: listed(ciDl.residentStepMsRuns),
      budgetStepMs: median(ciDl.budgetStepMsRuns),
      budgetStepMsRuns: listed(ciDl.budgetStepMsRuns),
      budgetLoadMs: median(ciDl.budgetLoadMsRuns),
      budgetLoadMsRuns: listed(ciDl.budgetLoadMsRuns),
      hiddenLoadShare: hiddenShare(ciDl.budgetLoadMsRuns, ciDl.budgetHiddenLoadMsRuns),
      residentUnits: ciDl.residentCount,
      units: ciDl.unitCount,
    },
    tdtm: {
      preset: { ...tdtmClip, latent: tdtm.latent },
      normalStepMs: median(tdtm.normalStepMsRuns),
      normalStepMsRuns: listed(tdtm.normalStepMsRuns),
      mergedStepMs: median(tdtm.mergedStepMsRuns),
      mergedStepMsRuns: listed(tdtm.mergedStepMsRuns),
      normalGflop: gflop(tdtm, false),
      mergedGflop: gflop(tdtm, true),
    },
    lpl: {
      endToEnd: {
        preset: `${LPL_CLIP.resolution} ${LPL_CLIP.aspect} × ${LPL_CLIP.frames} frame (image)`,
        fullMs: median(jobs.fullMsRuns),
        fullMsRuns: listed(jobs.fullMsRuns),
        leapMs: median(jobs.leapMsRuns),
        leapMsRuns: listed(jobs.leapMsRuns),
        fullCalls: jobs.fullCalls,
        leapCalls: jobs.leapCalls,
      },
      computed: {
        frames: CONTEXT.clip.frames,
        steps: LPL.steps,
        leapCalls: LPL.leapStep + 1,
        fixedMs,
        fullMs: fixedMs + LPL.steps * residentRow.stepMs,
        leapMs: fixedMs + (LPL.leapStep + 1) * residentRow.stepMs,
      },
    },
    t5: {
      blockMs,
      blockMsRuns: listed(blockMsRuns),
      measuredBlocks: text.runs[0]?.blocks ?? 0,
      totalMsComputed: t5TotalMs,
      totalBlocks: T5_XXL_BLOCKS,
      measuredWallMs: median(text.runs.map((run) => run.wallMs)),
      measuredWallMsRuns: listed(text.runs.map((run) => run.wallMs)),
      peakRssBytes: text.peakRssBytes,
      budgetBytes: text.budgetBytes,
      blockBytes: text.blockBytes,
      baselineBytes: text.baselineRssBytes,
    },
    vae: { decodeMs, decodeMsRuns: listed(decode.wallMsRuns), loadMs: decode.loadMs, peakRssBytes: decode.peakRssBytes, baselineBytes: decode.baselineRssBytes, frames: decode.frames },
    pytorch: { stepMs: torchStep.stepMs ?? NaN, stepMsRuns: listed(torchStep.stepMsRuns ?? []), threads: torchStep.threads },
    engine: { threads },
    gemm: {
      peakGflops: gemm.gemmPeakGflops,
      ortPeakGflops: ortGemm.gflops,
      size: GEMM_SIZE,
      stepGflop: gflop(resident, false),
      engineGflops: gflop(resident, false) / (residentRow.computeMs / 1000),
    },
    profile: { ...profiled.profile, pairs: profiled.pairs },
    profileMerged: { ...profiledMerged.profile, pairs: profiledMerged.pairs },
    sessionOptions: sessionOptions.map((row) => ({
      variant: row.variant,
      label: SESSION_OPTION_LABELS[row.variant],
      pairs: row.pairs,
      computeMs: median(row.computeMsRuns),
      computeMsRuns: listed(row.computeMsRuns),
      stepMs: median(row.stepMsRuns),
      stepMsRuns: listed(row.stepMsRuns),
      loadMs: row.loadMs,
      peakRssBytes: row.peakRssBytes,
    })),
    warm: {
      coldFirstStepMs: median(warms.map((row) => row.coldFirstStepMs)),
      coldFirstStepMsRuns: warmField((row) => row.coldFirstStepMs),
      warmFirstStepMs: median(warms.map((row) => row.warmFirstStepMs)),
      warmFirstStepMsRuns: warmField((row) => row.warmFirstStepMs),
      coldStepMs: median(warms.map((row) => row.coldStepMs)),
      coldStepMsRuns: warmField((row) => row.coldStepMs),
      warmStepMs: median(warms.map((row) => row.warmStepMs)),
      warmStepMsRuns: warmField((row) => row.warmStepMs),
    },
  };
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.writeFileSync(path.join(options.outDir, 'real-size.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(options.outDir, 'real-size.md'), realSizeMarkdown(results));
  return results;
}

interface PytorchResult {
  threads: number;
  torch: string;
  gemmPeakGflops: number;
  stepMs?: number;
  stepMsRuns?: number[];
}

/** Share of the load time compute hid (CI-DL), over several steps; null when nothing loaded. */
function hiddenShare(loadMsRuns: readonly number[], hiddenMsRuns: readonly number[]): number | null {
  const total = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0);
  return total(loadMsRuns) > 0 ? total(hiddenMsRuns) / total(loadMsRuns) : null;
}
