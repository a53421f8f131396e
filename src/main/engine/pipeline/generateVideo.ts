import fs from 'node:fs';
import path from 'node:path';
import { timingSince, type GenerateRequest, type GenerationEvent, type GenerationSummary } from '@shared/domain/generation';
import { plannedModelCalls } from '@shared/domain/lpl';
import { StudioError } from '@shared/ipc/errors';
import { videoTensorToClip, type RgbaClip } from '../output/frames';
import { checkOutputTarget, estimateOutputBytes } from '../output/outputTarget';
import { writeOutputs, type OutputOptions } from '../output/writeOutputs';
import { checkPackageUnits } from '../package/checkUnits';
import { readModelPackage, type ModelPackage } from '../package/modelPackage';
import {
  combineGuidedVelocityInto,
  computeTimesteps,
  createLplController,
  estimateCleanLatentInto,
  eulerStepInPlace,
  eulerStepSizes,
  isMergedStep,
  latentToRgbaFrames,
  leapToDataInPlace,
  noiseLevelAt,
  standardNormalNoise,
  validateMergedSteps,
  latentElementCount,
  type LatentShape,
  type LplPolicy,
} from '../sampler';
import type { PipelinePasses } from '@shared/model/pipelineBudget';
import { isAbortError, type PassResult, type StreamSchedule, type StreamUnit, type UnitStreamer } from '../streaming/unitStreamer';
import { EngineSession } from './engineSession';
import { openVideoModel } from '../models';
import { requireFinite } from './numericCheck';
import { RssMonitor } from './rssMonitor';
import { activationReserveBytes, estimateActivationBytes } from '@shared/model/clipMemory';
import { resolveRequest } from './settings';
import { resolveBudget } from './unitPlans';

/** "Finish now": the running job leaps (LPL) at its next step. */
export interface FinishSwitch {
  requested: boolean;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  onEvent?: (event: GenerationEvent) => void;
  finish?: FinishSwitch;
  /** Where to write GIF/PNG/MP4/JSON; nothing is written when absent. */
  output?: OutputOptions;
  /** ortWorker.mjs location when it is not next to the runtime module (bundled builds). */
  workerPath?: string;
  /** 'concurrent' = CI-DL (default); 'sequential' = load, run, release one unit after another. */
  schedule?: StreamSchedule;
  /** Per-step x0 previews (RGBA, every frame); default true. */
  previews?: boolean;
  /** An already validated package (skips re-reading the manifest). */
  modelPackage?: ModelPackage;
  /** Used when request.modelPath is absent. */
  defaultModelPath?: string;
  /** Keeps sessions and text embeddings between jobs (the engine process has one); default: a one-job session. */
  session?: EngineSession;
  /** Open every unit once to check it against the manifest (cached per process); default true. */
  checkUnits?: boolean;
}

export interface GenerateResult {
  summary: GenerationSummary;
  clip: RgbaClip;
  /** The final latent [C, T, H, W] given to the decoder (for numerical checks). */
  latent: Float32Array;
}

const epochNowMs = (): number => performance.timeOrigin + performance.now();

/**
 * Text → video with Open-Sora's rectified-flow sampler (docs/open-sora.md §Sampler) and On-device Sora's LPL, TDTM and
 * CI-DL: text encoder (streamed) → K denoising steps of [embedder, block pairs, final] (streamed with a resident
 * prefix; TDTM blocks in the first m steps; LPL leap) → decoder → outputs.
 */
export async function generateVideo(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
  const jobStartMs = epochNowMs();
  const elapsed = (): number => epochNowMs() - jobStartMs;
  const emit = (event: GenerationEvent): void => options.onEvent?.(event);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    emit({ kind: 'warning', message });
  };

  // ---- Everything that can be refused is checked before any compute. ----
  const modelPath = request.modelPath ?? options.defaultModelPath;
  if (!modelPath) {
    throw new StudioError('INVALID_PARAMS', 'No model package given and no built-in model configured.');
  }
  const pkg = options.modelPackage ?? readPackageOrThrow(modelPath);
  const { settings, clip: clipSize } = resolveRequest(request, pkg);
  const { manifest } = pkg;
  const model = await openVideoModel(pkg, clipSize);
  const prompt = model.tokenize(settings.prompt);
  prompt.warnings.forEach(warn);
  // The request schema fills in every dynamic parameter, so the resolved setting is already a sampler policy.
  const lplPolicy: LplPolicy = settings.lpl;
  const lpl = createLplController(lplPolicy, settings.steps);
  validateMergedSteps(settings.tdtmMergedSteps, settings.steps);
  const units = model.passes;
  const usesMergedSteps = settings.tdtmMergedSteps > 0;
  const budget = resolveBudget(units, settings.memoryBudget, usesMergedSteps, activationReserveBytes(estimateActivationBytes(manifest, clipSize), usesMergedSteps));
  const latentShape: LatentShape = model.latentShape;
  const timesteps = computeTimesteps({
    steps: settings.steps,
    numTimesteps: manifest.sampler.numTimesteps,
    transform: manifest.sampler.timestepTransform,
    clip: { heightPx: clipSize.conditioningHeight, widthPx: clipSize.conditioningWidth, numFrames: clipSize.frames },
  });
  const stepSizes = eulerStepSizes(timesteps, manifest.sampler.numTimesteps);
  if (options.output) {
    checkOutputTarget(options.output.basePath, estimateOutputBytes(clipSize, options.output.upscale));
  }
  if (options.checkUnits !== false) {
    await checkPackageUnits(pkg);
  }

  const session = options.session ?? new EngineSession({ persistent: false });
  const modelKey = packageKey(pkg);
  const streamer = await session.streamerFor({
    modelKey,
    budget: budget.budget,
    reserveBytes: budget.activationBytes,
    schedule: options.schedule ?? 'concurrent',
    workerPath: options.workerPath,
  });
  streamer.resetPeak();
  const rss = new RssMonitor();
  const timings = { load: 0, text: 0, denoise: 0, decode: 0, write: 0, total: 0 };
  // Load time no compute hid (CI-DL hides the rest): reported as `load`, so stage times are compute.
  const exposedLoadMs = (passes: readonly PassResult[]): number => passes.reduce((sum, pass) => sum + Math.max(0, pass.loadMs - pass.overlapMs), 0);
  const stepLatencyMs: number[] = [];
  let peakResidentBytes = 0;
  const trackResident = (): number => {
    peakResidentBytes = Math.max(peakResidentBytes, streamer.peakResidentBytes);
    return streamer.residentBytes;
  };

  try {
    emit({
      kind: 'started',
      settings,
      plannedModelCalls: plannedModelCalls(lplPolicy, settings.steps),
      budgetBytes: budget.budgetBytes,
      minimumBudgetBytes: budget.minimumBytes,
      residentUnitIds: budget.residentUnitIds,
    });

    // ---- Text ----
    emit({ kind: 'stage', stage: 'text', elapsedMs: elapsed() });
    let stageStart = epochNowMs();
    // The text embedding depends only on the model and the token ids: a job that changes the seed or sampler
    // settings reuses it.
    const promptKey = Array.from(prompt.ids, String).join(',');
    const cachedConditioning = session.cachedText(modelKey, promptKey);
    const conditioning = cachedConditioning ?? (await model.encodeText(streamer, prompt, options.signal));
    if (!cachedConditioning) {
      session.rememberText(modelKey, promptKey, conditioning);
    }
    trackResident();
    const textLoadMs = cachedConditioning ? 0 : exposedLoadMs([conditioning.pass]);
    timings.load += textLoadMs;
    timings.text = epochNowMs() - stageStart - textLoadMs;

    // ---- Denoise ----
    emit({ kind: 'stage', stage: 'denoise', elapsedMs: elapsed() });
    stageStart = epochNowMs();
    const denoisePasses: PassResult[] = [];
    const latent = standardNormalNoise(settings.seed, latentElementCount(latentShape));
    const guided = new Float32Array(latent.length);
    const cleanEstimate = new Float32Array(latent.length);
    const mergedUnitIds = units.denoiserMerged.filter((unit) => !units.denoiser.some((plain) => plain.id === unit.id)).map((unit) => unit.id);
    let leapStep: number | null = null;
    let stepsRun = 0;
    let mergedStepsRun = 0;
    let finishApplied = false;

    for (let step = 0; step < settings.steps; step++) {
      throwIfAborted(options.signal);
      const merged = isMergedStep(step, settings.tdtmMergedSteps);
      if (!merged && step === settings.tdtmMergedSteps && step > 0) {
        // The TDTM set is not needed again: free it before the plain blocks load (docs/techniques.md §TDTM, Graphs).
        await streamer.releaseUnits(mergedUnitIds);
      }
      const timestep = timesteps[step];
      const stepStartMs = epochNowMs();
      const { velocity, pass } = await model.predictVelocity(streamer, { conditioning, latent, timestep, merged, step, signal: options.signal });
      denoisePasses.push(pass);
      combineGuidedVelocityInto(guided, velocity, latentShape, {
        cfgScale: settings.cfgScale,
        modelOutputChannels: model.velocityChannels,
      });
      if (options.finish?.requested && !finishApplied) {
        finishApplied = true;
        lpl.requestFinish();
      }
      const observation = lpl.observe(step, guided, latentShape);
      const noiseLevel = noiseLevelAt(timesteps, step, manifest.sampler.numTimesteps);
      // A leap at the last step is the ordinary last Euler step (both integrate to t = 0).
      const leap = observation.leapNow && step < settings.steps - 1;
      let preview = null;
      if (options.previews !== false) {
        estimateCleanLatentInto(cleanEstimate, latent, guided, noiseLevel);
        const frames = latentToRgbaFrames(cleanEstimate, latentShape, model.preview);
        const rgba = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
        frames.forEach((frame, index) => rgba.set(frame, index * frame.length));
        preview = { width: latentShape.width, height: latentShape.height, frames: frames.length, rgba };
      }
      if (leap) {
        leapToDataInPlace(latent, guided, noiseLevel);
        leapStep = step;
      } else {
        eulerStepInPlace(latent, guided, stepSizes[step]);
      }
      requireFinite(latent, { stage: 'denoise', step, unitId: leap ? 'the LPL leap' : 'the sampler\'s Euler step' }, 'latent');
      stepsRun++;
      if (merged) {
        mergedStepsRun++;
      }
      const latencyMs = epochNowMs() - stepStartMs;
      stepLatencyMs.push(latencyMs);
      emit({
        kind: 'step',
        stepIndex: step,
        totalSteps: settings.steps,
        timestep,
        merged,
        leap,
        cosine: observation.cosine ?? null,
        latencyMs,
        units: pass.timeline.map((row) => timingSince(row, jobStartMs)),
        overlapMs: pass.overlapMs,
        rssBytes: rss.sample(),
        // The step's working set: resident prefix plus the streamed units loaded at once (its peak).
        residentBytes: Math.max(pass.peakResidentBytes, trackResident()),
        budgetBytes: budget.budgetBytes,
        preview,
      });
      if (leap) {
        break;
      }
    }
    const denoiseLoadMs = exposedLoadMs(denoisePasses);
    timings.load += denoiseLoadMs;
    timings.denoise = epochNowMs() - stageStart - denoiseLoadMs;

    // ---- Decode ----
    throwIfAborted(options.signal);
    emit({ kind: 'stage', stage: 'decode', elapsedMs: elapsed() });
    stageStart = epochNowMs();
    const decoded = await model.decode(streamer, latent, options.signal);
    trackResident();
    const decodeLoadMs = exposedLoadMs(decoded.passes);
    timings.load += decodeLoadMs;
    requireNativeClip(decoded, clipSize);
    const clip = videoTensorToClip(decoded.video, { frames: decoded.frames, height: decoded.height, width: decoded.width }, clipSize.fps);
    timings.decode = epochNowMs() - stageStart - decodeLoadMs;

    // ---- Write ----
    let outputs: string[] = [];
    if (options.output) {
      emit({ kind: 'stage', stage: 'write', elapsedMs: elapsed() });
      stageStart = epochNowMs();
      const written = await writeOutputs(clip, settings, options.output);
      outputs = written.paths;
      written.warnings.forEach(warn);
      timings.write = epochNowMs() - stageStart;
    }
    timings.total = elapsed();
    const summary: GenerationSummary = {
      settings,
      promptText: prompt.text,
      promptTokens: Array.from(prompt.ids.subarray(0, prompt.length), Number),
      seed: settings.seed,
      stepsRun,
      leapStep,
      mergedSteps: mergedStepsRun,
      timingsMs: timings,
      stepLatencyMs,
      peakRssBytes: Math.max(rss.peak, rss.sample()),
      peakResidentBytes: Math.max(peakResidentBytes, streamer.peakResidentBytes),
      memoryBudgetBytes: budget.budgetBytes,
      activationBytes: budget.activationBytes,
      baselineRssBytes: session.baselineRssBytes(streamer),
      outputs,
      warnings,
    };
    emit({ kind: 'done', summary });
    if (session.persistent) {
      // After "done": the clip is the user's at once. A warm-up that fails costs the next job its loads, not this job.
      await keepWarm(streamer, units).catch(() => undefined);
    }
    return { summary, clip, latent };
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) {
      emit({ kind: 'cancelled' });
      throw new StudioError('CANCELLED', 'The generation was cancelled.');
    }
    throw error;
  } finally {
    rss.stop();
    if (!session.persistent) {
      await session.releaseAll();
    }
  }
}

/**
 * Between jobs the decoder's sessions give way to the denoiser's resident prefix, which the next job's first step
 * needs at once; the text encoder is not reloaded before a new prompt asks for it.
 */
async function keepWarm(streamer: UnitStreamer, units: PipelinePasses<StreamUnit>): Promise<void> {
  await streamer.releaseUnits(units.decoder.map((unit) => unit.id));
  await streamer.preloadResidentPrefix(units.denoiser);
}

/** Identifies a package on disk: its folder, manifest identity and manifest file time. */
function packageKey(pkg: ModelPackage): string {
  const manifestMtimeMs = fs.statSync(path.join(pkg.dir, 'manifest.json')).mtimeMs;
  return `${pkg.dir}\n${pkg.manifest.id}@${pkg.manifest.version}\n${manifestMtimeMs}`;
}

/** The decoded clip must be the clip asked for (and so what every record written claims). */
function requireNativeClip(decoded: { frames: number; height: number; width: number }, clip: { frames: number; height: number; width: number }): void {
  if (decoded.frames !== clip.frames || decoded.height !== clip.height || decoded.width !== clip.width) {
    throw new StudioError(
      'MODEL_INVALID',
      `The decoder made ${decoded.frames} frames of ${decoded.width}×${decoded.height} px; this run asked for ${clip.frames} frames of ${clip.width}×${clip.height} px. The package's manifest does not match its decoder.`,
    );
  }
}

function readPackageOrThrow(modelPath: string): ModelPackage {
  try {
    return readModelPackage(modelPath);
  } catch (error) {
    throw new StudioError('MODEL_INVALID', (error as Error).message);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new StudioError('CANCELLED', 'The generation was cancelled.');
  }
}
