import { timingSince, type StepPreview } from '@shared/domain/generation';
import type { TextConditioning } from '../models';
import { epochNowMs } from '../runtime/clock';
import {
  applyMaskStrategy,
  combineGuidedVelocityInto,
  createFrameConditioner,
  createGaussianSource,
  estimateCleanLatentInto,
  eulerStepInPlace,
  isMergedStep,
  latentElementCount,
  latentToRgbaFrames,
  leapToDataInPlace,
  noiseLevelAt,
  type FrameConditioner,
  type GaussianSource,
  type MaskStrategyEntry,
  type ReferenceLatent,
} from '../sampler';
import type { PassResult } from '../streaming/unitStreamer';
import type { JobRun } from './jobRun';
import { requireFinite } from './numericCheck';

/** "Finish now": the running job leaps (LPL) at its next step. */
export interface FinishSwitch {
  requested: boolean;
}

export interface DenoiseOptions {
  readonly finish?: FinishSwitch;
  /** Per-step x0 previews (RGBA, every frame). */
  readonly previews: boolean;
  /** Reference latent frames and Open-Sora's mask strategy placing them (absent: every frame generated). */
  readonly references?: FrameReferences;
}

/** Open-Sora 1.2's reference_path + mask_strategy, with the references already encoded. */
export interface FrameReferences {
  readonly latents: readonly ReferenceLatent[];
  readonly strategy: readonly MaskStrategyEntry[];
}

export interface DenoiseResult {
  /** The final latent [C, T, H, W], for the decoder. */
  readonly latent: Float32Array;
  readonly leapStep: number | null;
  readonly stepsRun: number;
  readonly mergedStepsRun: number;
  readonly stepLatencyMs: number[];
}

/**
 * Seeded noise → K rectified-flow steps (docs/open-sora.md §Sampler): each step asks the model for the CFG velocity
 * (TDTM units in the first m steps, docs/techniques.md §TDTM), guides it, then takes an Euler step, or the LPL leap
 * to t = 0 (docs/techniques.md §LPL) and stops. The TDTM units are released before the first plain step needs the memory.
 */
export async function denoiseStage(run: JobRun, conditioning: TextConditioning, options: DenoiseOptions): Promise<DenoiseResult> {
  const stageStartMs = run.beginStage('denoise');
  const { model, settings, timesteps, stepSizes, budget, pkg, lpl } = run.plan;
  const shape = model.latentShape;
  const noise = createGaussianSource(settings.seed);
  const latent = noise.fillStandardNormal(new Float32Array(latentElementCount(shape)));
  const frames = options.references ? conditionerFor(run, latent, options.references, noise) : null;
  const guided = new Float32Array(latent.length);
  const clean = new Float32Array(latent.length);
  const mergedUnitIds = model.passes.denoiserMerged.filter((unit) => !model.passes.denoiser.some((plain) => plain.id === unit.id)).map((unit) => unit.id);
  const passes: PassResult[] = [];
  const result = { latent, leapStep: null as number | null, stepsRun: 0, mergedStepsRun: 0, stepLatencyMs: [] as number[] };
  let finishApplied = false;

  for (let step = 0; step < settings.steps; step++) {
    run.throwIfAborted();
    const merged = isMergedStep(step, settings.tdtmMergedSteps);
    if (!merged && step === settings.tdtmMergedSteps && step > 0) {
      await run.streamer.releaseUnits(mergedUnitIds);
    }
    const timestep = timesteps[step];
    const stepStartMs = epochNowMs();
    const frameStep = frames?.beginStep(latent, timestep);
    const { velocity, pass } = await model.predictVelocity(run.streamer, { conditioning, latent, timestep, merged, step, frameMask: frameStep?.generate, signal: run.signal });
    passes.push(pass);
    combineGuidedVelocityInto(guided, velocity, shape, { cfgScale: settings.cfgScale, modelOutputChannels: model.velocityChannels });
    if (options.finish?.requested && !finishApplied) {
      finishApplied = true;
      lpl.requestFinish();
    }
    const observation = lpl.observe(step, guided, shape);
    const noiseLevel = noiseLevelAt(timesteps, step, pkg.manifest.sampler.numTimesteps);
    // A leap at the last step is the ordinary last Euler step (both integrate to t = 0).
    const leap = observation.leapNow && step < settings.steps - 1;
    const preview = options.previews ? previewOf(run, clean, latent, guided, noiseLevel) : null;
    if (leap) {
      leapToDataInPlace(latent, guided, noiseLevel);
      result.leapStep = step;
    } else {
      eulerStepInPlace(latent, guided, stepSizes[step]);
    }
    if (frames && frameStep) {
      frames.endStep(latent, frameStep);
    }
    requireFinite(latent, { stage: 'denoise', step, unitId: leap ? 'the LPL leap' : 'the sampler\'s Euler step' }, 'latent');
    result.stepsRun++;
    result.mergedStepsRun += merged ? 1 : 0;
    const latencyMs = epochNowMs() - stepStartMs;
    result.stepLatencyMs.push(latencyMs);
    run.emit({
      kind: 'step', stepIndex: step, totalSteps: settings.steps, timestep, merged, leap, cosine: observation.cosine ?? null, latencyMs,
      units: pass.timeline.map((row) => timingSince(row, run.startMs)),
      overlapMs: pass.overlapMs,
      rssBytes: run.rss.sample(),
      // The step's working set: resident prefix plus the streamed units loaded at once (its peak).
      residentBytes: Math.max(pass.peakResidentBytes, run.residentBytes()),
      budgetBytes: budget.budgetBytes,
      preview,
    });
    if (leap) {
      break;
    }
  }
  run.endStage('denoise', stageStartMs, passes);
  return result;
}

/**
 * Places the references in the initial noise and returns the per-step rules (sampler/frameConditioning.ts); the
 * edit-ratio noise ε continues the seed's noise stream, drawn only when some reference may be edited.
 */
function conditionerFor(run: JobRun, latent: Float32Array, references: FrameReferences, noise: GaussianSource): FrameConditioner {
  const shape = run.plan.model.latentShape;
  const { mask } = applyMaskStrategy(latent, shape, references.latents, references.strategy);
  const edited = mask.some((value) => value > 0 && value < 1);
  const editNoise = edited ? noise.fillStandardNormal(new Float32Array(latent.length)) : new Float32Array(latent.length);
  return createFrameConditioner(shape, mask, run.plan.pkg.manifest.sampler.numTimesteps, editNoise);
}

/** The x0 estimate of every frame at this step, as RGBA through the model's latent-to-colour projection. */
function previewOf(run: JobRun, clean: Float32Array, latent: Float32Array, guided: Float32Array, noiseLevel: number): StepPreview {
  const shape = run.plan.model.latentShape;
  estimateCleanLatentInto(clean, latent, guided, noiseLevel);
  const frames = latentToRgbaFrames(clean, shape, run.plan.model.preview);
  const rgba = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  frames.forEach((frame, index) => rgba.set(frame, index * frame.length));
  return { width: shape.width, height: shape.height, frames: frames.length, rgba };
}
