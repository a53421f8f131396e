import { randomInt } from 'node:crypto';
import { generateRequestSchema, type GenerateRequest, type LplSetting, type ParsedGenerateRequest, type ResolvedSettings } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import type { ModelPackage } from '../package/modelPackage';
import { activationReserveBytes, estimateActivationBytes } from '@shared/model/clipMemory';
import { ClipChoiceError, resolveClip, type ClipSize } from '@shared/model/clipSize';
import { unitPasses } from '@shared/model/unitPasses';
import { resolveBudget } from './budgetResolution';

/** Parses a request against the contract schema; the message names every offending field. */
export function parseGenerateRequest(raw: unknown): ParsedGenerateRequest {
  const parsed = generateRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`);
    throw new StudioError('INVALID_PARAMS', `Invalid generation settings: ${issues.join('; ')}.`);
  }
  return parsed.data;
}

/**
 * Applies the model's defaults and checks what depends on them (leap step < steps, TDTM steps ≤ steps), before any
 * compute; returns the settings and the clip size they make (the engine opens the model for that clip).
 */
export function resolveRequest(request: GenerateRequest, pkg: ModelPackage): { settings: ResolvedSettings; clip: ClipSize } {
  const parsed = parseGenerateRequest(request);
  const { manifest } = pkg;
  let clip: ClipSize;
  try {
    clip = resolveClip(manifest, parsed.clip);
  } catch (error) {
    if (error instanceof ClipChoiceError) {
      throw new StudioError('INVALID_PARAMS', error.message);
    }
    throw error;
  }
  const steps = parsed.steps ?? manifest.sampler.steps;
  const lpl: LplSetting = parsed.lpl ?? { kind: 'off' };
  if (lpl.kind === 'fixed' && lpl.leapStep >= steps) {
    throw new StudioError(
      'INVALID_PARAMS',
      `LPL leap step ${lpl.leapStep} must be below the step count ${steps} (a leap at step n runs n + 1 model calls; use 1 … ${steps - 1}).`,
    );
  }
  if (lpl.kind === 'dynamic' && lpl.minimumStep >= steps) {
    throw new StudioError('INVALID_PARAMS', `Dynamic LPL minimum step ${lpl.minimumStep} must be below the step count ${steps}.`);
  }
  const tdtmMergedSteps = parsed.tdtmMergedSteps ?? 0;
  if (tdtmMergedSteps > steps) {
    throw new StudioError('INVALID_PARAMS', `TDTM merged steps ${tdtmMergedSteps} exceed the step count ${steps} (use 0 … ${steps}).`);
  }
  const settings: ResolvedSettings = {
    prompt: parsed.prompt.trim(),
    seed: parsed.seed ?? randomInt(0, 2 ** 32 - 1),
    steps,
    cfgScale: parsed.cfgScale ?? manifest.sampler.cfgScale,
    lpl,
    tdtmMergedSteps,
    memoryBudget: parsed.memoryBudget ?? { kind: 'all' },
    modelId: manifest.id,
    modelVersion: manifest.version,
    modelPath: pkg.dir,
    frames: clip.frames,
    height: clip.height,
    width: clip.width,
    fps: clip.fps,
    ...(clip.resolution !== null && clip.aspect !== null ? { clip: { resolution: clip.resolution, aspect: clip.aspect } } : {}),
  };
  return { settings, clip };
}

/**
 * Everything about a request that can be refused without running a model: settings against the model's
 * defaults and the memory budget against the package's unit sizes. The backend calls it before queueing a job.
 */
export function preflightRequest(request: GenerateRequest, pkg: ModelPackage, options: { conditioned?: boolean } = {}): ResolvedSettings {
  const { settings, clip } = resolveRequest(request, pkg);
  const used = { usesMergedSteps: settings.tdtmMergedSteps > 0, conditioned: options.conditioned ?? request.reference !== undefined };
  resolveBudget(unitPasses(pkg.manifest), settings.memoryBudget, used, activationReserveBytes(estimateActivationBytes(pkg.manifest, clip), used));
  return settings;
}
