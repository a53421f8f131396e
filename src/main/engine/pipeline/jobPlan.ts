import fs from 'node:fs';
import path from 'node:path';
import type { GenerateRequest, ReferenceRequest, ResolvedSettings } from '@shared/domain/generation';
import { activationReserveBytes, estimateActivationBytes } from '@shared/model/clipMemory';
import type { ClipSize } from '@shared/model/clipSize';
import { StudioError } from '@shared/ipc/errors';
import { openVideoModel, type PreparedPrompt, type VideoModel } from '../models';
import { checkOutputTarget, estimateOutputBytes } from '../output/outputTarget';
import type { OutputOptions } from '../output/writeOutputs';
import { checkPackageUnits } from '../package/checkUnits';
import { readModelPackage, type ModelPackage } from '../package/modelPackage';
import { computeTimesteps, createLplController, eulerStepSizes, validateMergedSteps, type LplController } from '../sampler';
import { loadReferenceSource, type ReferenceSource } from '../conditioning/referenceSource';
import { resolveBudget, type BudgetResolution } from './budgetResolution';
import { resolveRequest } from './settings';

/** Everything a job needs decided before its first compute; building it is where a job is refused. */
export interface JobPlan {
  readonly pkg: ModelPackage;
  /** Identifies the package on disk (folder, manifest identity, manifest file time): the session's model key. */
  readonly modelKey: string;
  readonly settings: ResolvedSettings;
  readonly clipSize: ClipSize;
  readonly model: VideoModel;
  readonly prompt: PreparedPrompt;
  readonly budget: BudgetResolution;
  /** This job's LPL rule (fixed, dynamic or off), with its state across steps. */
  readonly lpl: LplController;
  /** Sampler timesteps t_0 … t_{K−1} and the Euler step size after each. */
  readonly timesteps: Float64Array;
  readonly stepSizes: Float64Array;
  /** The reference frames to encode and where they go (request.reference), read and fitted before any compute. */
  readonly reference: ReferenceSource | null;
}

export interface JobPlanOptions {
  readonly modelPackage?: ModelPackage;
  readonly defaultModelPath?: string;
  readonly output?: OutputOptions;
  readonly checkUnits?: boolean;
}

/** Checks the request, the package, the budget and the output target, in that order; throws a StudioError. */
export async function planJob(request: GenerateRequest, options: JobPlanOptions, warn: (message: string) => void): Promise<JobPlan> {
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
  const reference = request.reference ? planReference(request.reference, model, clipSize) : null;
  reference?.warnings.forEach(warn);
  const lpl = createLplController(settings.lpl, settings.steps);
  validateMergedSteps(settings.tdtmMergedSteps, settings.steps);
  // The encoder's pass counts in the budget only when reference frames are encoded (unitPasses.ts, passesUsed).
  const used = { usesMergedSteps: settings.tdtmMergedSteps > 0, conditioned: reference !== null };
  const activationBytes = activationReserveBytes(estimateActivationBytes(manifest, clipSize), used);
  const budget = resolveBudget(model.passes, settings.memoryBudget, used, activationBytes);
  const timesteps = computeTimesteps({
    steps: settings.steps,
    numTimesteps: manifest.sampler.numTimesteps,
    transform: manifest.sampler.timestepTransform,
    clip: { heightPx: clipSize.conditioningHeight, widthPx: clipSize.conditioningWidth, numFrames: clipSize.frames },
  });
  if (options.output) {
    checkOutputTarget(options.output.basePath, estimateOutputBytes(clipSize, options.output.upscale));
  }
  if (options.checkUnits !== false) {
    await checkPackageUnits(pkg);
  }
  const stepSizes = eulerStepSizes(timesteps, manifest.sampler.numTimesteps);
  return { pkg, modelKey: packageKey(pkg), settings, clipSize, model, prompt, budget, lpl, timesteps, stepSizes, reference };
}

/** Refuses reference frames the model cannot take or the clip cannot hold; reads and fits them. */
function planReference(request: ReferenceRequest, model: VideoModel, clip: ClipSize): ReferenceSource {
  const { manifest } = model;
  if (!model.referenceFrames.supported || manifest.architecture !== 'opensora-1.2') {
    throw new StudioError('INVALID_PARAMS', model.referenceFrames.supported ? `Model ${manifest.id} cannot take reference frames.` : model.referenceFrames.reason);
  }
  const chunk = { chunkFrames: manifest.vae.temporal.chunkFrames, chunkLatentFrames: manifest.vae.temporal.chunkLatentFrames };
  if (request.kind === 'extend' && clip.latent.frames <= chunk.chunkLatentFrames) {
    throw new StudioError(
      'INVALID_PARAMS',
      `Extending conditions on ${chunk.chunkLatentFrames} latent frames (${chunk.chunkFrames} video frames); a ${clip.frames}-frame clip holds ${clip.latent.frames}, so nothing new would be made. Choose a longer duration.`,
    );
  }
  return loadReferenceSource(request, clip, chunk);
}

function packageKey(pkg: ModelPackage): string {
  const manifestMtimeMs = fs.statSync(path.join(pkg.dir, 'manifest.json')).mtimeMs;
  return `${pkg.dir}\n${pkg.manifest.id}@${pkg.manifest.version}\n${manifestMtimeMs}`;
}

function readPackageOrThrow(modelPath: string): ModelPackage {
  try {
    return readModelPackage(modelPath);
  } catch (error) {
    throw new StudioError('MODEL_INVALID', (error as Error).message);
  }
}
