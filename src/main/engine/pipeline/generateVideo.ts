import type { GenerateRequest, GenerationEvent, GenerationSummary, ResolvedSettings, UnitTiming } from '../../../shared/domain/generation';
import { StudioError } from '../../../shared/ipc/errors';
import { videoTensorToClip, type RgbaClip } from '../output/frames';
import { checkOutputTarget, estimateOutputBytes } from '../output/outputTarget';
import { writeOutputs, type OutputOptions } from '../output/writeOutputs';
import { checkPackageUnits } from '../package/checkUnits';
import { readModelPackage, type ModelPackage } from '../package/modelPackage';
import { float32View, tensorData, type TensorData, type TensorMap } from '../runtime/types';
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
  type LatentShape,
  type LplPolicy,
} from '../sampler';
import { isAbortError, UnitStreamer, type PassResult, type StreamSchedule } from '../streaming/unitStreamer';
import { createWordTokenizer } from '../text/wordTokenizer';
import { batchLatent, buildStepConstants, embedderFeeds, ropeFeeds } from './denoiseFeeds';
import { checkedFeeds, requireFinite, requireFiniteOutputs } from './numericCheck';
import { RssMonitor } from './rssMonitor';
import { resolveSettings } from './settings';
import { encodePrompt } from './textStage';
import { pipelineUnits, resolveBudget } from './unitPlans';

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
 * Text → video with Open-Sora's rectified-flow sampler (opensora-1.2.md §2.3) and On-device Sora's LPL, TDTM and
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
  const settings = resolveSettings(request, pkg);
  const { manifest } = pkg;
  if (manifest.text.tokenizer.kind !== 'word' || !pkg.vocabulary) {
    throw new StudioError('MODEL_INVALID', `Tokenizer kind "${manifest.text.tokenizer.kind}" is not supported by this engine yet.`);
  }
  const tokenizerSpec = manifest.text.tokenizer;
  const tokens = createWordTokenizer({ ...tokenizerSpec, vocabulary: pkg.vocabulary })(settings.prompt);
  if (tokens.unknownWords.length > 0) {
    warn(`Words the model does not know were ignored: ${[...new Set(tokens.unknownWords)].join(', ')}.`);
  }
  if (tokens.truncated) {
    warn(`The prompt was truncated to ${tokenizerSpec.maxTokens - 1} words (the model reads at most that many).`);
  }
  const lplPolicy = toLplPolicy(settings);
  const lpl = createLplController(lplPolicy, settings.steps);
  validateMergedSteps(settings.tdtmMergedSteps, settings.steps);
  const units = pipelineUnits(pkg);
  const budget = resolveBudget(units, settings.memoryBudget, settings.tdtmMergedSteps > 0);
  const latentShape: LatentShape = { ...manifest.latent };
  const timesteps = computeTimesteps({
    steps: settings.steps,
    numTimesteps: manifest.sampler.numTimesteps,
    transform: manifest.sampler.timestepTransform,
    clip: { heightPx: manifest.native.height, widthPx: manifest.native.width, numFrames: manifest.native.frames },
  });
  const stepSizes = eulerStepSizes(timesteps, manifest.sampler.numTimesteps);
  if (options.output) {
    checkOutputTarget(options.output.basePath, estimateOutputBytes(manifest.native, options.output.upscale));
  }
  if (options.checkUnits !== false) {
    await checkPackageUnits(pkg);
  }

  const streamer = new UnitStreamer({ budget: budget.budget, workerPath: options.workerPath, schedule: options.schedule ?? 'concurrent' });
  const rss = new RssMonitor();
  const timings = { text: 0, denoise: 0, decode: 0, write: 0, total: 0 };
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
      plannedModelCalls: lplPolicy.kind === 'fixed' ? lplPolicy.leapStep + 1 : settings.steps,
      budgetBytes: budget.budgetBytes,
      minimumBudgetBytes: budget.minimumBytes,
      residentUnitIds: budget.residentUnitIds,
    });

    // ---- Text ----
    emit({ kind: 'stage', stage: 'text', elapsedMs: elapsed() });
    let stageStart = epochNowMs();
    const encoded = await encodePrompt(streamer, units.text, pkg, tokens, options.signal);
    trackResident();
    await streamer.releaseAll();
    timings.text = epochNowMs() - stageStart;

    // ---- Denoise ----
    emit({ kind: 'stage', stage: 'denoise', elapsedMs: elapsed() });
    stageStart = epochNowMs();
    const constants = buildStepConstants(manifest, encoded.captions, encoded.tokenCount);
    const hiddenSize = manifest.denoiser.hiddenSize;
    const headDim = hiddenSize / manifest.denoiser.numHeads;
    const latent = standardNormalNoise(settings.seed, constants.latentDims.slice(1).reduce((a, b) => a * b, 1));
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
        // The TDTM set is not needed again: free it before the plain blocks load (paper §4.4).
        await streamer.releaseUnits(mergedUnitIds);
      }
      const timestep = timesteps[step];
      const latentBatch = batchLatent(latent);
      const passUnits = merged ? units.denoiserMerged : units.denoiser;
      const lastIndex = passUnits.length - 1;
      let shared: { yTok: TensorData; tMlp: TensorData; tEmb: TensorData } | undefined;
      const rope = ropeFeeds(constants, merged, headDim);
      const stepStartMs = epochNowMs();
      const pass: PassResult = await streamer.runPass(
        passUnits,
        checkedFeeds(passUnits.map((unit) => unit.id), (index, previous): TensorMap => {
          if (index === 0) {
            return embedderFeeds(constants, latentBatch, timestep, hiddenSize);
          }
          if (index === 1) {
            const embedded = requireOutputs(previous, ['x', 'y_tok', 't_mlp', 't_emb'], passUnits[0].id);
            shared = { yTok: embedded.y_tok, tMlp: embedded.t_mlp, tEmb: embedded.t_emb };
          }
          if (!shared) {
            throw new Error('the embedder outputs are missing');
          }
          const x = index === 1 ? requireOutputs(previous, ['x'], passUnits[0].id).x : requireOutputs(previous, ['x_out'], passUnits[index - 1].id).x_out;
          if (index === lastIndex) {
            return {
              x,
              t_emb: shared.tEmb,
              z: tensorData('float32', constants.latentDims, latentBatch.slice()),
              timestep: tensorData('float32', [2], new Float32Array([timestep, timestep])),
            };
          }
          return { x, y_tok: shared.yTok, t_mlp: shared.tMlp, ...rope };
        }, { stage: 'denoise', step }),
        { signal: options.signal, keepFeeds: ['y_tok', 't_mlp', 't_emb', 'rope_cos', 'rope_sin', 'y_bias'] },
      );
      const velocityOutput = pass.outputs.v;
      if (!velocityOutput) {
        throw new StudioError('MODEL_INVALID', `${passUnits[lastIndex].id} produced no "v" output.`);
      }
      requireFiniteOutputs(pass.outputs, { stage: 'denoise', step, unitId: passUnits[lastIndex].id });
      combineGuidedVelocityInto(guided, float32View(velocityOutput), latentShape, {
        cfgScale: settings.cfgScale,
        modelOutputChannels: manifest.denoiser.outChannels,
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
        const frames = latentToRgbaFrames(cleanEstimate, latentShape, manifest.preview);
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
        units: pass.timeline.map((row): UnitTiming => ({
          unitId: row.unitId,
          executor: row.executor,
          loadStartMs: row.loadStartMs === null ? null : row.loadStartMs - jobStartMs,
          loadEndMs: row.loadEndMs === null ? null : row.loadEndMs - jobStartMs,
          runStartMs: row.runStartMs - jobStartMs,
          runEndMs: row.runEndMs - jobStartMs,
        })),
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
    await streamer.releaseAll();
    timings.denoise = epochNowMs() - stageStart;

    // ---- Decode ----
    throwIfAborted(options.signal);
    emit({ kind: 'stage', stage: 'decode', elapsedMs: elapsed() });
    stageStart = epochNowMs();
    const decoded = await streamer.runPass(
      units.decoder,
      () => ({ z: tensorData('float32', [1, ...constants.latentDims.slice(1)], latent.slice()) }),
      { signal: options.signal },
    );
    trackResident();
    await streamer.releaseAll();
    const video = decoded.outputs.video;
    if (!video || video.dims.length !== 5) {
      throw new StudioError('MODEL_INVALID', 'The decoder produced no [1, 3, F, H, W] "video" output.');
    }
    requireFiniteOutputs(decoded.outputs, { stage: 'decode', unitId: units.decoder[units.decoder.length - 1].id });
    requireNativeClip(video.dims, manifest.native);
    const clip = videoTensorToClip(float32View(video), { frames: video.dims[2], height: video.dims[3], width: video.dims[4] }, manifest.native.fps);
    timings.decode = epochNowMs() - stageStart;

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
      seed: settings.seed,
      stepsRun,
      leapStep,
      mergedSteps: mergedStepsRun,
      timingsMs: timings,
      stepLatencyMs,
      peakRssBytes: Math.max(rss.peak, rss.sample()),
      peakResidentBytes: Math.max(peakResidentBytes, streamer.peakResidentBytes),
      memoryBudgetBytes: budget.budgetBytes,
      outputs,
      warnings,
    };
    emit({ kind: 'done', summary });
    return { summary, clip, latent };
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) {
      emit({ kind: 'cancelled' });
      throw new StudioError('CANCELLED', 'The generation was cancelled.');
    }
    throw error;
  } finally {
    rss.stop();
    await streamer.dispose();
  }
}

/** The decoded clip must be the clip the manifest (and so every record written) claims. */
function requireNativeClip(dims: readonly number[], native: { frames: number; height: number; width: number }): void {
  const [, , frames, height, width] = dims;
  if (frames !== native.frames || height !== native.height || width !== native.width) {
    throw new StudioError(
      'MODEL_INVALID',
      `The decoder made ${frames} frames of ${width}×${height} px; the manifest's native clip is ${native.frames} frames of ${native.width}×${native.height} px. Fix native in manifest.json.`,
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

function toLplPolicy(settings: ResolvedSettings): LplPolicy {
  const setting = settings.lpl;
  switch (setting.kind) {
    case 'off':
      return { kind: 'off' };
    case 'fixed':
      return { kind: 'fixed', leapStep: setting.leapStep };
    case 'dynamic':
      return { kind: 'dynamic', minimumStep: setting.minimumStep, tolerance: setting.tolerance, patience: setting.patience, compare: setting.compare };
  }
}

function requireOutputs<K extends string>(outputs: TensorMap | null, names: K[], unitId: string): Record<K, TensorData> {
  const found = {} as Record<K, TensorData>;
  for (const name of names) {
    const tensor = outputs?.[name];
    if (!tensor) {
      throw new StudioError('MODEL_INVALID', `Unit ${unitId} produced no "${name}" output.`);
    }
    found[name] = tensor;
  }
  return found;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new StudioError('CANCELLED', 'The generation was cancelled.');
  }
}
