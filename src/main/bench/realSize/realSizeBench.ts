import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineProcessEnv } from '../../engine-host/engineConnection';
import { SESSION_OPTION_LABELS, SESSION_OPTION_VARIANTS } from './sessionOptionVariants';
import type { DecodeProbeResult, OptionsProbeResult, ProbeContext, ProbeResult, ProbeSpec, StepsProbeResult, TextProbeResult, WarmProbeResult } from './probe';
import { realSizeMarkdown, type RealSizeResults, type StepRow } from './report';

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
}

/** The full T5-XXL's blocks: the streamed text time is extrapolated from the package's real-size blocks. */
const T5_XXL_BLOCKS = 24;
const LPL = { steps: 30, leapCalls: 16 } as const;
/** The session-option comparison runs a short step: the first pairs at the real widths, timed after one warm-up. */
const OPTIONS_STEP = { pairs: 2, steps: 2 } as const;
const CONTEXT: Omit<ProbeContext, 'modelPath'> = {
  prompt: 'a red fox running through fresh snow at golden hour, cinematic wide shot',
  clip: { resolution: '144p', aspect: '16:9', frames: 51 },
};

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
  for (const [what, where, how] of [
    ['package', path.join(options.modelPath, 'manifest.json'), 'npm run import-model:python -- --random --config opensora-1.2 --out bench-data/opensora-1.2-random --keep-checkpoints bench-data/opensora-1.2-random-checkpoints'],
    ['STDiT3 checkpoint', path.join(options.stditCheckpoint, 'model.safetensors'), 'the same command (--keep-checkpoints)'],
  ] as const) {
    if (!fs.existsSync(where)) {
      throw new Error(`The real-size ${what} is missing (${where}). Make it with: ${how}`);
    }
  }
  const context: ProbeContext = { ...CONTEXT, modelPath: options.modelPath };
  const probe = async <T extends ProbeResult>(label: string, spec: ProbeSpec): Promise<T> => {
    log(`${label}…`);
    const started = Date.now();
    const result = await runJson<T>(process.execPath, [options.probeEntry, JSON.stringify(spec), JSON.stringify(context)], engineProcessEnv(process.env));
    log(`${label}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return result;
  };
  const pytorch = async (label: string, args: readonly string[]): Promise<PytorchResult> => {
    log(`${label}…`);
    const result = await runJson<PytorchResult>(options.python, [options.pytorchScript, ...args], { ...process.env, OMP_NUM_THREADS: String(threads()) });
    log(`${label}: done`);
    return result;
  };

  const gemm = await pytorch('GEMM peak (PyTorch, fp32)', ['--gemm-only', '--threads', String(threads())]);
  const sessionOptions: OptionsProbeResult[] = [];
  for (const variant of SESSION_OPTION_VARIANTS) {
    sessionOptions.push(await probe<OptionsProbeResult>(`session options: ${variant}`, { kind: 'options', variant, ...OPTIONS_STEP }));
  }
  const resident = await probe<StepsProbeResult>('step, all resident', { kind: 'steps', budget: { kind: 'all' }, merged: false, steps: 1 });
  const budget50 = await probe<StepsProbeResult>('step, budget 50 %', { kind: 'steps', budget: { kind: 'share', share: 0.5 }, merged: false, steps: 1 });
  const budget25 = await probe<StepsProbeResult>('step, budget 25 %', { kind: 'steps', budget: { kind: 'share', share: 0.25 }, merged: false, steps: 1 });
  const min = await probe<StepsProbeResult>('step, smallest budget', { kind: 'steps', budget: { kind: 'min' }, merged: false, steps: 1 });
  const merged = await probe<StepsProbeResult>('TDTM merged step, all resident', { kind: 'steps', budget: { kind: 'all' }, merged: true, steps: 1 });
  const text = await probe<TextProbeResult>('T5-XXL blocks, streamed at the smallest budget', { kind: 'text', budget: { kind: 'min' } });
  const decode = await probe<DecodeProbeResult>('VAE decode', { kind: 'decode' });
  const warm = await probe<WarmProbeResult>('warm engine: two jobs', { kind: 'warm' });
  const torchStep = await pytorch('the same step in PyTorch eager', [
    '--stdit', options.stditCheckpoint,
    '--frames', String(resident.latent.frames),
    '--height', String(resident.latent.height),
    '--width', String(resident.latent.width),
    '--text-len', String(resident.textTokens),
    '--threads', String(threads()),
  ]);

  const stepRow = (result: StepsProbeResult): StepRow => {
    const step = result.steps[result.steps.length - 1];
    return {
      stepMs: step.wallMs,
      computeMs: step.computeMs,
      loadMs: step.loadMs,
      peakRssBytes: result.peakRssBytes,
      budgetBytes: result.budgetBytes,
      activationBytes: result.activationBytes,
      baselineBytes: result.baselineRssBytes,
      weightsBytes: result.weightsBytes,
      residentUnits: result.residentCount,
      units: result.unitCount,
      hiddenLoadShare: step.loadMs > 0 ? step.hiddenLoadMs / step.loadMs : null,
    };
  };
  const blocks = text.units.filter((row) => row.unitId.startsWith('text.block'));
  const blockMs = blocks.reduce((sum, row) => sum + row.runMs, 0) / blocks.length;
  const otherTextMs = text.units.filter((row) => !row.unitId.startsWith('text.block')).reduce((sum, row) => sum + row.runMs, 0);
  const t5TotalMs = otherTextMs + T5_XXL_BLOCKS * blockMs;
  const residentStepMs = stepRow(resident).stepMs;
  const fixedMs = t5TotalMs + decode.wallMs;
  const results: RealSizeResults = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryBytes: os.totalmem(),
      platform: `${process.platform} ${os.release()} ${process.arch}`,
      node: process.version,
      torch: gemm.torch,
    },
    preset: { ...CONTEXT.clip, latent: resident.latent, textTokens: resident.textTokens, cfgBatch: 2, prompt: CONTEXT.prompt },
    steps: { resident: stepRow(resident), budget50: stepRow(budget50), budget25: stepRow(budget25), min: stepRow(min) },
    tdtm: { normalStepMs: residentStepMs, mergedStepMs: stepRow(merged).stepMs },
    lpl: { steps: LPL.steps, leapCalls: LPL.leapCalls, fixedMs, fullMs: fixedMs + LPL.steps * residentStepMs, leapMs: fixedMs + LPL.leapCalls * residentStepMs },
    t5: {
      blockMs,
      measuredBlocks: blocks.length,
      totalMs: t5TotalMs,
      totalBlocks: T5_XXL_BLOCKS,
      measuredWallMs: text.wallMs,
      peakRssBytes: text.peakRssBytes,
      budgetBytes: text.budgetBytes,
      blockBytes: text.blockBytes,
      baselineBytes: text.baselineRssBytes,
    },
    vae: { decodeMs: decode.wallMs, loadMs: decode.loadMs, peakRssBytes: decode.peakRssBytes, baselineBytes: decode.baselineRssBytes, frames: decode.frames },
    pytorch: { stepMs: torchStep.stepMs ?? NaN, threads: torchStep.threads },
    gemm: {
      peakGflops: gemm.gemmPeakGflops,
      stepGflop: torchStep.stepGflop ?? NaN,
      engineGflops: (torchStep.stepGflop ?? NaN) / (stepRow(resident).computeMs / 1000),
    },
    sessionOptions: sessionOptions.map((row) => ({
      variant: row.variant,
      label: SESSION_OPTION_LABELS[row.variant],
      pairs: row.pairs,
      computeMs: row.computeMs,
      stepMs: row.stepMs,
      loadMs: row.loadMs,
      peakRssBytes: row.peakRssBytes,
    })),
    warm: { coldFirstStepMs: warm.coldFirstStepMs, warmFirstStepMs: warm.warmFirstStepMs, coldStepMs: warm.coldStepMs, warmStepMs: warm.warmStepMs },
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
  stepGflop?: number;
}

/** ORT's default intra-op pool is one thread per physical core; PyTorch gets the same count. */
function threads(): number {
  return Number(process.env.STUDIO_BENCH_THREADS ?? os.cpus().length);
}
