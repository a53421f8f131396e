import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import type { GenerateRequest } from '@shared/domain/generation';
import { memoryBudgetSchema, type MemoryBudget } from '@shared/domain/memoryBudget';
import { activationReserveBytes, estimateActivationBytes } from '@shared/model/clipMemory';
import { openVideoModel, type TextConditioning, type VideoModel } from '../../engine/models';
import { readModelPackage } from '../../engine/package/modelPackage';
import { EngineSession, startMeasuredStreamer, type MeasuredStreamer } from '../../engine/pipeline/engineSession';
import { generateVideo } from '../../engine/pipeline/generateVideo';
import { resolveRequest } from '../../engine/pipeline/settings';
import { computeTimesteps, standardNormalNoise, latentElementCount } from '../../engine/sampler';
import { planMemory } from '@shared/model/memoryPlan';
import type { PassResult, StreamUnit } from '../../engine/streaming/unitStreamer';
import type { SessionOptions } from '../../engine/runtime/types';
import { SESSION_OPTION_VARIANTS, sessionOptionsFor, type SessionOptionVariant } from './sessionOptionVariants';
import { gemmModelBytes } from './gemmModel';
import { readOpProfiles, type OpProfile } from './opProfile';
import { engineThreadCount } from '../../engine/runtime/cpuCores';

/**
 * One measurement of `npm run bench -- --real-size`, in a process of its own (so its peak RSS is its own): the
 * orchestrator (realSizeBench.ts) starts `benchProbe.js '<json spec>'` and reads one JSON line from stdout.
 * Stages are driven through the model layer (openVideoModel, UnitStreamer) the pipeline uses, so a step here is
 * the engine's step; the warm probe runs the whole pipeline (generateVideo in a persistent EngineSession).
 */

/** A memory budget, or a share of the denoiser's weights (plus the clip's activations), as the bench's rows are. */
const stepsBudgetSchema = z.union([memoryBudgetSchema, z.object({ kind: z.literal('share'), share: z.number().gt(0).lt(1) })]);

export const probeSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('steps'), budget: stepsBudgetSchema, merged: z.boolean(), steps: z.number().int().min(1) }),
  z.object({ kind: z.literal('tdtm'), pairs: z.number().int().min(1) }),
  z.object({ kind: z.literal('budgetPair'), share: z.number().gt(0).lt(1), pairs: z.number().int().min(1) }),
  z.object({ kind: z.literal('text'), budget: memoryBudgetSchema, runs: z.number().int().min(1) }),
  z.object({ kind: z.literal('decode'), runs: z.number().int().min(1) }),
  z.object({ kind: z.literal('warm') }),
  z.object({ kind: z.literal('options'), variant: z.enum(SESSION_OPTION_VARIANTS), pairs: z.number().int().min(1), steps: z.number().int().min(1) }),
  z.object({ kind: z.literal('jobs'), leapStep: z.number().int().min(1), runs: z.number().int().min(1) }),
  z.object({ kind: z.literal('profile'), pairs: z.number().int().min(1), steps: z.number().int().min(1), merged: z.boolean() }),
  z.object({ kind: z.literal('gemm'), size: z.number().int().min(1), runs: z.number().int().min(1) }),
]);
export type ProbeSpec = z.infer<typeof probeSpecSchema>;

export interface ProbeContext {
  readonly modelPath: string;
  readonly prompt: string;
  readonly clip: { resolution: string; aspect: string; frames: number };
}

export interface StepMeasure {
  readonly wallMs: number;
  readonly computeMs: number;
  readonly loadMs: number;
  readonly hiddenLoadMs: number;
}

export interface StepsProbeResult {
  readonly kind: 'steps';
  readonly steps: StepMeasure[];
  /** Loading the resident prefix before the first step (the warm engine does this between jobs). */
  readonly prefixLoadMs: number;
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
  readonly budgetBytes: number;
  readonly activationBytes: number;
  readonly weightsBytes: number;
  readonly residentCount: number;
  readonly unitCount: number;
  readonly textTokens: number;
  readonly latent: { frames: number; height: number; width: number };
}

/** Normal and TDTM-merged steps in turn, both unit sets resident in one streamer (so drift hits both alike). */
export interface TdtmProbeResult {
  readonly kind: 'tdtm';
  /** The timed steps, after one warm-up step of each kind. */
  readonly normalStepMsRuns: number[];
  readonly mergedStepMsRuns: number[];
  readonly textTokens: number;
  readonly latent: { frames: number; height: number; width: number };
}

/**
 * All-resident and budgeted steps in turn, from two streamers in one process (so drift hits both alike): the CI-DL
 * ratio. Peak RSS is not measured here (the two streamers share the process); the steps probe of the same budget is.
 */
export interface BudgetPairProbeResult {
  readonly kind: 'budgetPair';
  readonly share: number;
  /** The timed steps, after one warm-up step of each. */
  readonly residentStepMsRuns: number[];
  readonly budgetStepMsRuns: number[];
  readonly budgetLoadMsRuns: number[];
  readonly budgetHiddenLoadMsRuns: number[];
  readonly residentCount: number;
  readonly unitCount: number;
}

/** One text encoding: its wall time, the mean of its T5 blocks' run times and the rest of its units' run time. */
export interface TextRun {
  readonly wallMs: number;
  readonly blockMs: number;
  readonly blocks: number;
  readonly otherMs: number;
}

export interface TextProbeResult {
  readonly kind: 'text';
  /** The encodings after the warm-up one. */
  readonly runs: TextRun[];
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
  readonly budgetBytes: number;
  readonly blockBytes: number;
}

export interface DecodeProbeResult {
  readonly kind: 'decode';
  /** The decodes after the warm-up one (which loaded the units: its load time is loadMs). */
  readonly wallMsRuns: number[];
  readonly loadMs: number;
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
  readonly frames: number;
}

export interface WarmProbeResult {
  readonly kind: 'warm';
  /** From the job's start until its first denoising step computes: text, loads no compute hid. */
  readonly coldFirstStepMs: number;
  readonly warmFirstStepMs: number;
  readonly coldStepMs: number;
  readonly warmStepMs: number;
}

export interface OptionsProbeResult {
  readonly kind: 'options';
  readonly variant: SessionOptionVariant;
  /** The timed steps' units' run time and wall time (after one warm-up step). */
  readonly computeMsRuns: number[];
  readonly stepMsRuns: number[];
  readonly loadMs: number;
  readonly peakRssBytes: number;
  readonly pairs: number;
}

/** Whole jobs (text → steps → decode) in one warm engine, timed from the request to the decoded clip. */
export interface JobsProbeResult {
  readonly kind: 'jobs';
  readonly fullMsRuns: number[];
  readonly leapMsRuns: number[];
  readonly fullCalls: number;
  readonly leapCalls: number;
  readonly steps: number;
  readonly leapStep: number;
}

/** onnxruntime's profile of the engine's step over the first `pairs` block pairs (opProfile.ts), normal or TDTM-merged. */
export interface ProfileProbeResult {
  readonly kind: 'profile';
  readonly pairs: number;
  readonly merged: boolean;
  readonly profile: OpProfile;
}

/** One float32 Gemm of size³ in onnxruntime, the engine's session options: the best of `runs` after a warm-up. */
export interface GemmProbeResult {
  readonly kind: 'gemm';
  readonly size: number;
  readonly threads: number;
  readonly gflops: number;
}

export type ProbeResult = StepsProbeResult | TdtmProbeResult | BudgetPairProbeResult | TextProbeResult | DecodeProbeResult | WarmProbeResult | OptionsProbeResult | JobsProbeResult | ProfileProbeResult | GemmProbeResult;

const epochNowMs = (): number => performance.timeOrigin + performance.now();

/** The two sides of a pair of steps taken in turn, the first side alternating from pair to pair (so that neither
 * always runs right after the other, e.g. on memory the other just freed). */
function inTurn<T>(pair: number, sides: readonly [T, T]): readonly [T, T] {
  return pair % 2 === 0 ? sides : [sides[1], sides[0]];
}

function stepMeasure(pass: PassResult): StepMeasure {
  return { wallMs: pass.wallMs, computeMs: pass.runMs, loadMs: pass.loadMs, hiddenLoadMs: pass.overlapMs };
}

async function openModel(context: ProbeContext, pairs?: number): Promise<{ model: VideoModel; activationBytes: (merged: boolean) => number }> {
  const whole = readModelPackage(context.modelPath);
  // The first `pairs` block pairs only: a shorter step at the real widths, for comparing session options.
  const pkg = pairs === undefined ? whole : { ...whole, manifest: { ...whole.manifest, denoiser: { ...whole.manifest.denoiser, blocks: whole.manifest.denoiser.blocks.slice(0, pairs) } } };
  const { clip } = resolveRequest({ prompt: context.prompt, modelPath: context.modelPath, clip: context.clip }, pkg);
  const model = await openVideoModel(pkg, clip);
  const estimate = estimateActivationBytes(pkg.manifest, clip);
  return { model, activationBytes: (merged) => activationReserveBytes(estimate, { usesMergedSteps: merged, conditioned: false }) };
}

/** A streamer with both executors up; its RSS then is the runtime's baseline, which no budget covers. */
/** A streamer, its RSS sampler and baseline, started as the engine starts them (the sampler is in the baseline). */
function startStreamer(budget: MemoryBudget, reserveBytes: number, sessionOptions?: SessionOptions): Promise<MeasuredStreamer> {
  return startMeasuredStreamer({ budget, reserveBytes, schedule: 'concurrent', sessionOptions });
}

async function encodeOnce(model: VideoModel, prompt: string): Promise<TextConditioning> {
  const { streamer, rss } = await startStreamer({ kind: 'min' }, 0);
  try {
    return await model.encodeText(streamer, model.tokenize(prompt));
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

const weightsBytesOf = (units: readonly StreamUnit[]): number => units.reduce((sum, unit) => sum + unit.sizeBytes, 0);

/** A budget as the steps rows give it: a share of the weights plus the activations, never below the smallest working set. */
function stepsBudget(budget: z.infer<typeof stepsBudgetSchema>, units: readonly StreamUnit[], reserveBytes: number): MemoryBudget {
  if (budget.kind !== 'share') {
    return budget;
  }
  // A share below the smallest working set (small packages) runs at that minimum.
  const minimumBytes = planMemory(units, { kind: 'min' }, { reserveBytes }).budgetBytes;
  return { kind: 'bytes', bytes: Math.max(minimumBytes, Math.round(budget.share * weightsBytesOf(units)) + reserveBytes) };
}

async function stepsProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'steps' }>): Promise<StepsProbeResult> {
  const { model, activationBytes } = await openModel(context);
  // The text encoder runs in its own streamer first: the step's budget is the denoiser's alone.
  const conditioning = await encodeOnce(model, context.prompt);
  const units: readonly StreamUnit[] = spec.merged ? model.passes.denoiserMerged : model.passes.denoiser;
  const reserveBytes = activationBytes(spec.merged);
  const weightsBytes = weightsBytesOf(units);
  const budget = stepsBudget(spec.budget, units, reserveBytes);
  const { streamer, baselineRssBytes, rss } = await startStreamer(budget, reserveBytes);
  try {
    const plan = streamer.plan(units);
    const prefixStart = epochNowMs();
    await streamer.preloadResidentPrefix(units);
    const prefixLoadMs = epochNowMs() - prefixStart;
    const { manifest } = model;
    const timesteps = computeTimesteps({
      steps: 30,
      numTimesteps: manifest.sampler.numTimesteps,
      transform: manifest.sampler.timestepTransform,
      clip: { heightPx: model.clip.conditioningHeight, widthPx: model.clip.conditioningWidth, numFrames: model.clip.frames },
    });
    const latent = standardNormalNoise(1, latentElementCount(model.latentShape));
    const steps: StepMeasure[] = [];
    for (let step = 0; step < spec.steps; step++) {
      const { pass } = await model.predictVelocity(streamer, { conditioning, latent, timestep: timesteps[step], merged: spec.merged, step });
      steps.push(stepMeasure(pass));
    }
    return {
      kind: 'steps',
      steps,
      prefixLoadMs,
      peakRssBytes: Math.max(rss.peak, rss.sample()),
      baselineRssBytes,
      budgetBytes: plan.budgetBytes,
      activationBytes: reserveBytes,
      weightsBytes,
      residentCount: plan.residentCount,
      unitCount: units.length,
      textTokens: conditioning.tokenCount,
      latent: { frames: model.latentShape.frames, height: model.latentShape.height, width: model.latentShape.width },
    };
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

async function tdtmProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'tdtm' }>): Promise<TdtmProbeResult> {
  const { model, activationBytes } = await openModel(context);
  const conditioning = await encodeOnce(model, context.prompt);
  // Room for both sets: neither pass releases the other's sessions, so no step loads.
  const reserveBytes = Math.max(activationBytes(false), activationBytes(true));
  const budget: MemoryBudget = { kind: 'bytes', bytes: weightsBytesOf(model.passes.denoiser) + weightsBytesOf(model.passes.denoiserMerged) + reserveBytes };
  const { streamer, rss } = await startStreamer(budget, reserveBytes);
  try {
    await streamer.preloadResidentPrefix(model.passes.denoiser);
    await streamer.preloadResidentPrefix(model.passes.denoiserMerged);
    const latent = standardNormalNoise(4, latentElementCount(model.latentShape));
    const normalStepMsRuns: number[] = [];
    const mergedStepMsRuns: number[] = [];
    let step = 0;
    for (let pair = 0; pair <= spec.pairs; pair++) {
      for (const merged of inTurn(pair, [false, true])) {
        const { pass } = await model.predictVelocity(streamer, { conditioning, latent, timestep: 900, merged, step: step++ });
        if (pass.loadMs > 0) {
          throw new Error(`the TDTM probe loaded a unit during a ${merged ? 'merged' : 'normal'} step: both sets should stay resident`);
        }
        if (pair > 0) {
          (merged ? mergedStepMsRuns : normalStepMsRuns).push(pass.wallMs);
        }
      }
    }
    return {
      kind: 'tdtm',
      normalStepMsRuns,
      mergedStepMsRuns,
      textTokens: conditioning.tokenCount,
      latent: { frames: model.latentShape.frames, height: model.latentShape.height, width: model.latentShape.width },
    };
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

async function budgetPairProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'budgetPair' }>): Promise<BudgetPairProbeResult> {
  const { model, activationBytes } = await openModel(context);
  const conditioning = await encodeOnce(model, context.prompt);
  const units = model.passes.denoiser;
  const reserveBytes = activationBytes(false);
  const resident = await startStreamer({ kind: 'all' }, reserveBytes);
  try {
    const budgeted = await startStreamer(stepsBudget({ kind: 'share', share: spec.share }, units, reserveBytes), reserveBytes);
    try {
      await resident.streamer.preloadResidentPrefix(units);
      await budgeted.streamer.preloadResidentPrefix(units);
      const latent = standardNormalNoise(6, latentElementCount(model.latentShape));
      const result: BudgetPairProbeResult = {
        kind: 'budgetPair',
        share: spec.share,
        residentStepMsRuns: [],
        budgetStepMsRuns: [],
        budgetLoadMsRuns: [],
        budgetHiddenLoadMsRuns: [],
        residentCount: budgeted.streamer.plan(units).residentCount,
        unitCount: units.length,
      };
      let step = 0;
      for (let pair = 0; pair <= spec.pairs; pair++) {
        const order = inTurn(pair, [resident.streamer, budgeted.streamer]);
        const first = (await model.predictVelocity(order[0], { conditioning, latent, timestep: 900, merged: false, step: step++ })).pass;
        const second = (await model.predictVelocity(order[1], { conditioning, latent, timestep: 900, merged: false, step: step++ })).pass;
        const [all, part] = order[0] === resident.streamer ? [first, second] : [second, first];
        if (pair > 0) {
          result.residentStepMsRuns.push(all.wallMs);
          result.budgetStepMsRuns.push(part.wallMs);
          result.budgetLoadMsRuns.push(part.loadMs);
          result.budgetHiddenLoadMsRuns.push(part.overlapMs);
        }
      }
      return result;
    } finally {
      budgeted.rss.stop();
      await budgeted.streamer.dispose();
    }
  } finally {
    resident.rss.stop();
    await resident.streamer.dispose();
  }
}

async function textProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'text' }>): Promise<TextProbeResult> {
  const { model } = await openModel(context);
  const units = model.passes.text;
  const { streamer, baselineRssBytes, rss } = await startStreamer(spec.budget, 0);
  try {
    const runs: TextRun[] = [];
    let budgetBytes = 0;
    // One warm-up encoding, then the timed ones.
    for (let run = 0; run <= spec.runs; run++) {
      const { pass } = await model.encodeText(streamer, model.tokenize(context.prompt));
      budgetBytes = pass.plan.budgetBytes;
      const isBlock = (unitId: string): boolean => unitId.startsWith('text.block');
      const blockRows = pass.timeline.filter((row) => isBlock(row.unitId));
      const runMs = (rows: typeof pass.timeline): number => rows.reduce((sum, row) => sum + row.runEndMs - row.runStartMs, 0);
      if (run > 0) {
        runs.push({ wallMs: pass.wallMs, blockMs: runMs(blockRows) / blockRows.length, blocks: blockRows.length, otherMs: runMs(pass.timeline.filter((row) => !isBlock(row.unitId))) });
      }
    }
    const blocks = units.filter((unit) => unit.id.startsWith('text.block'));
    return {
      kind: 'text',
      runs,
      peakRssBytes: Math.max(rss.peak, rss.sample()),
      baselineRssBytes,
      budgetBytes,
      blockBytes: Math.max(...blocks.map((unit) => unit.sizeBytes)),
    };
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

async function decodeProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'decode' }>): Promise<DecodeProbeResult> {
  const { model } = await openModel(context);
  const { streamer, baselineRssBytes, rss } = await startStreamer({ kind: 'all' }, 0);
  try {
    // A unit-variance latent: what a run's final latent looks like to the decoder (its normalization is inside).
    const latent = standardNormalNoise(2, latentElementCount(model.latentShape));
    const wallMsRuns: number[] = [];
    let loadMs = 0;
    let frames = 0;
    // The first decode loads the units and warms up; the others are timed.
    for (let run = 0; run <= spec.runs; run++) {
      const start = epochNowMs();
      const decoded = await model.decode(streamer, latent);
      const wallMs = epochNowMs() - start;
      frames = decoded.frames;
      if (run === 0) {
        loadMs = decoded.passes.reduce((sum, pass) => sum + Math.max(0, pass.loadMs - pass.overlapMs), 0);
      } else {
        wallMsRuns.push(wallMs);
      }
    }
    return { kind: 'decode', wallMsRuns, loadMs, peakRssBytes: Math.max(rss.peak, rss.sample()), baselineRssBytes, frames };
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

/**
 * Two jobs in one persistent EngineSession (what the studio's engine process keeps), each stopped after its first
 * denoising step: the first loads everything, the second (same prompt, another seed) finds the text embedding and
 * the resident denoiser prefix in place.
 */
async function warmProbe(context: ProbeContext): Promise<WarmProbeResult> {
  const session = new EngineSession({ persistent: true });
  const firstStep = async (seed: number): Promise<{ firstStepMs: number; stepMs: number }> => {
    const controller = new AbortController();
    let measured: { firstStepMs: number; stepMs: number } | null = null;
    const request: GenerateRequest = { prompt: context.prompt, seed, steps: 30, modelPath: context.modelPath, clip: context.clip, memoryBudget: { kind: 'all' } };
    await generateVideo(request, {
      session,
      signal: controller.signal,
      previews: false,
      onEvent: (event) => {
        if (event.kind === 'step' && measured === null) {
          // Unit times are ms since the job started. The step began with its first load or run; of its loads,
          // what compute did not hide (overlapMs) delayed its compute as much as waiting before it would.
          const stepStartMs = Math.min(...event.units.map((row) => row.loadStartMs ?? row.runStartMs));
          const loadMs = event.units.reduce((sum, row) => sum + (row.loadStartMs === null || row.loadEndMs === null ? 0 : row.loadEndMs - row.loadStartMs), 0);
          measured = { firstStepMs: stepStartMs + Math.max(0, loadMs - event.overlapMs), stepMs: event.latencyMs };
          controller.abort();
        }
      },
    }).catch((error: unknown) => {
      if (measured === null) {
        throw error;
      }
    });
    if (measured === null) {
      throw new Error('the job ended before its first step');
    }
    return measured;
  };
  try {
    const cold = await firstStep(1);
    const warm = await firstStep(2);
    return { kind: 'warm', coldFirstStepMs: cold.firstStepMs, warmFirstStepMs: warm.firstStepMs, coldStepMs: cold.stepMs, warmStepMs: warm.stepMs };
  } finally {
    await session.releaseAll();
  }
}

/**
 * The short step the options and profile probes time: the embedder, the first `pairs` block pairs (normal or
 * TDTM-merged) and the final layer, all resident under `sessionOptions`; one warm-up step, then `steps` timed ones.
 * The streamer is disposed (its sessions released) before this returns.
 */
async function shortSteps(
  context: ProbeContext,
  options: { pairs: number; steps: number; sessionOptions: SessionOptions; merged: boolean },
): Promise<{ loadMs: number; steps: StepMeasure[]; peakRssBytes: number }> {
  const { model, activationBytes } = await openModel(context, options.pairs);
  const conditioning = await encodeOnce(model, context.prompt);
  const { streamer, rss } = await startStreamer({ kind: 'all' }, activationBytes(options.merged), options.sessionOptions);
  try {
    const loadStart = epochNowMs();
    await streamer.preloadResidentPrefix(options.merged ? model.passes.denoiserMerged : model.passes.denoiser);
    const loadMs = epochNowMs() - loadStart;
    const latent = standardNormalNoise(3, latentElementCount(model.latentShape));
    const timed: StepMeasure[] = [];
    for (let step = 0; step <= options.steps; step++) {
      const { pass } = await model.predictVelocity(streamer, { conditioning, latent, timestep: 900, merged: options.merged, step });
      if (step > 0) {
        timed.push(stepMeasure(pass));
      }
    }
    return { loadMs, steps: timed, peakRssBytes: Math.max(rss.peak, rss.sample()) };
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

async function optionsProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'options' }>): Promise<OptionsProbeResult> {
  const { loadMs, steps, peakRssBytes } = await shortSteps(context, { pairs: spec.pairs, steps: spec.steps, sessionOptions: sessionOptionsFor(spec.variant), merged: false });
  return {
    kind: 'options',
    variant: spec.variant,
    computeMsRuns: steps.map((step) => step.computeMs),
    stepMsRuns: steps.map((step) => step.wallMs),
    loadMs,
    peakRssBytes,
    pairs: spec.pairs,
  };
}

/** The options probe's short step with onnxruntime's profiler on; the profiles are written as the sessions are released. */
async function profileProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'profile' }>): Promise<ProfileProbeResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-profile-'));
  try {
    const sessionOptions: SessionOptions = { ...sessionOptionsFor('engine'), enableProfiling: true, profileFilePrefix: path.join(dir, 'unit') };
    await shortSteps(context, { pairs: spec.pairs, steps: spec.steps, sessionOptions, merged: spec.merged });
    const files = fs.readdirSync(dir).map((name) => path.join(dir, name));
    return { kind: 'profile', pairs: spec.pairs, merged: spec.merged, profile: readOpProfiles(files) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function gemmProbe(spec: Extract<ProbeSpec, { kind: 'gemm' }>): Promise<GemmProbeResult> {
  const options = sessionOptionsFor('engine');
  const session = await ort.InferenceSession.create(gemmModelBytes(spec.size, spec.size, spec.size), options);
  try {
    const input = new ort.Tensor('float32', standardNormalNoise(5, spec.size * spec.size), [spec.size, spec.size]);
    await session.run({ a: input });
    let bestMs = Infinity;
    for (let run = 0; run < spec.runs; run++) {
      const start = performance.now();
      await session.run({ a: input });
      bestMs = Math.min(bestMs, performance.now() - start);
    }
    return { kind: 'gemm', size: spec.size, threads: options.intraOpNumThreads ?? engineThreadCount(), gflops: (2 * spec.size ** 3) / (bestMs * 1e6) };
  } finally {
    await session.release();
  }
}

/**
 * LPL end to end as the user waits: whole jobs (text, every step, decode) in one persistent EngineSession, the
 * engine's default memory budget. One warm-up job, then full and leap jobs in turn, so drift hits both alike. Each
 * job has a prompt of its own, so the text encoder runs every time as for a new prompt.
 */
async function jobsProbe(context: ProbeContext, spec: Extract<ProbeSpec, { kind: 'jobs' }>): Promise<JobsProbeResult> {
  const session = new EngineSession({ persistent: true });
  const steps = 30;
  let take = 0;
  const job = async (leap: boolean): Promise<{ wallMs: number; calls: number }> => {
    take += 1;
    const request: GenerateRequest = {
      prompt: `${context.prompt}, take ${take}`,
      seed: take,
      steps,
      modelPath: context.modelPath,
      clip: context.clip,
      ...(leap ? { lpl: { kind: 'fixed', leapStep: spec.leapStep } } : {}),
    };
    const start = epochNowMs();
    const { summary } = await generateVideo(request, { session, previews: false });
    return { wallMs: epochNowMs() - start, calls: summary.stepsRun };
  };
  try {
    await job(true);
    const full: Array<{ wallMs: number; calls: number }> = [];
    const leap: Array<{ wallMs: number; calls: number }> = [];
    for (let run = 0; run < spec.runs; run++) {
      full.push(await job(false));
      leap.push(await job(true));
    }
    return {
      kind: 'jobs',
      fullMsRuns: full.map((row) => row.wallMs),
      leapMsRuns: leap.map((row) => row.wallMs),
      fullCalls: full[0].calls,
      leapCalls: leap[0].calls,
      steps,
      leapStep: spec.leapStep,
    };
  } finally {
    await session.releaseAll();
  }
}

export function runProbe(context: ProbeContext, spec: ProbeSpec): Promise<ProbeResult> {
  switch (spec.kind) {
    case 'steps':
      return stepsProbe(context, spec);
    case 'tdtm':
      return tdtmProbe(context, spec);
    case 'budgetPair':
      return budgetPairProbe(context, spec);
    case 'text':
      return textProbe(context, spec);
    case 'decode':
      return decodeProbe(context, spec);
    case 'warm':
      return warmProbe(context);
    case 'options':
      return optionsProbe(context, spec);
    case 'jobs':
      return jobsProbe(context, spec);
    case 'profile':
      return profileProbe(context, spec);
    case 'gemm':
      return gemmProbe(spec);
  }
}
