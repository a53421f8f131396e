import type { GenerateRequest, GenerationEvent, GenerationSummary } from '@shared/domain/generation';
import { plannedModelCalls } from '@shared/domain/lpl';
import { StudioError } from '@shared/ipc/errors';
import type { RgbaClip } from '../output/frames';
import type { OutputOptions } from '../output/writeOutputs';
import type { ModelPackage } from '../package/modelPackage';
import { isAbortError, type StreamSchedule } from '../streaming/unitStreamer';
import { denoiseStage, type FinishSwitch, type FrameReferences } from './denoiseStage';
import { EngineSession } from './engineSession';
import { planJob } from './jobPlan';
import { JobEvents, JobRun } from './jobRun';
import { keepWarm } from './keepWarm';
import { decodeStage, encodeReferenceStage, encodeTextStage, writeStage } from './stages';

export type { FinishSwitch } from './denoiseStage';

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
  /**
   * Already encoded reference latents with an Open-Sora mask strategy (engine callers that hold latents); the
   * request's `reference` (files, encoded by the job) takes precedence.
   */
  references?: FrameReferences;
}

export interface GenerateResult {
  summary: GenerationSummary;
  clip: RgbaClip;
  /** The final latent [C, T, H, W] given to the decoder (for numerical checks). */
  latent: Float32Array;
}

/**
 * Text → video with Open-Sora's rectified-flow sampler and On-device Sora's LPL, TDTM and CI-DL, as stages: plan
 * (everything that can be refused, before any compute) → text → denoise → decode → write → summary; then, in a
 * persistent session, the next job's first units are loaded.
 */
export async function generateVideo(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
  const events = new JobEvents(options.onEvent);
  const plan = await planJob(request, options, (message) => events.warn(message));
  const { settings, budget, model, prompt } = plan;
  if (options.references && !model.referenceFrames.supported) {
    throw new StudioError('INVALID_PARAMS', model.referenceFrames.reason);
  }
  const session = options.session ?? new EngineSession({ persistent: false });
  const streamer = await session.streamerFor({
    modelKey: plan.modelKey,
    budget: budget.budget,
    reserveBytes: budget.activationBytes,
    schedule: options.schedule ?? 'concurrent',
    workerPath: options.workerPath,
  });
  streamer.resetPeak();
  const run = new JobRun({ plan, session, streamer, events, signal: options.signal });
  try {
    run.emit({
      kind: 'started',
      settings,
      plannedModelCalls: plannedModelCalls(settings.lpl, settings.steps),
      budgetBytes: budget.budgetBytes,
      minimumBudgetBytes: budget.minimumBytes,
      residentUnitIds: budget.residentUnitIds,
    });
    const conditioning = await encodeTextStage(run);
    const reference = await encodeReferenceStage(run);
    const denoised = await denoiseStage(run, conditioning, { finish: options.finish, previews: options.previews !== false, references: reference?.references ?? options.references });
    const clip = await decodeStage(run, denoised.latent);
    const outputs = await writeStage(run, clip, options.output, { stepsRun: denoised.stepsRun, leapStep: denoised.leapStep, mergedSteps: denoised.mergedStepsRun }, reference?.summary);
    const summary: GenerationSummary = {
      settings,
      promptText: prompt.text,
      promptTokens: Array.from(prompt.ids.subarray(0, prompt.length), Number),
      seed: settings.seed,
      stepsRun: denoised.stepsRun,
      leapStep: denoised.leapStep,
      mergedSteps: denoised.mergedStepsRun,
      stepLatencyMs: denoised.stepLatencyMs,
      outputs,
      ...run.measured(),
      ...(reference ? { conditioning: reference.summary } : {}),
    };
    run.emit({ kind: 'done', summary });
    if (session.persistent) {
      // After "done": the clip is the user's at once. A warm-up that fails costs the next job its loads, not this job.
      await keepWarm(streamer, model.passes).catch(() => undefined);
    }
    return { summary, clip, latent: denoised.latent };
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) {
      run.emit({ kind: 'cancelled' });
      throw new StudioError('CANCELLED', 'The generation was cancelled.');
    }
    throw error;
  } finally {
    if (!session.persistent) {
      await session.releaseAll();
    }
  }
}
