import { GENERATION_LIMITS, type StudioGenerateRequest, type ResolvedSettings, type StudioReference } from '@shared/domain/generation';
import type { ModelSummary } from '@shared/domain/studio';
import { parseMemoryBudget, type MemoryBudget } from '@shared/domain/memoryBudget';
import { clipKey } from '@shared/model/clipMemory';

export type SeedMode = 'random' | 'locked';
export type LplMode = NonNullable<StudioGenerateRequest['lpl']>['kind'];
export type BudgetMode = MemoryBudget['kind'];

/** Everything the composer edits. Numbers are kept as typed so a half-typed field never throws. */
export interface ComposerSettings {
  prompt: string;
  seedMode: SeedMode;
  seed: number;
  steps: number;
  cfgScale: number;
  lplMode: LplMode;
  /** Fixed LPL: leap at this 0-based step (n regular steps, then the leap). */
  leapStep: number;
  /** TDTM: merge frame pairs in the first m steps (0 = off). */
  tdtmMergedSteps: number;
  budgetMode: BudgetMode;
  /** For budgetMode 'bytes': a size such as "300MB" or "1.5GB". */
  budgetText: string;
  /** The chosen model's id; null = the built-in model. */
  modelId: string | null;
  /** Clip preset of a model with presets, "resolution|aspect|frames" (clipKey); '' = the model's default. */
  clipPreset: string;
  /**
   * Condition strength S in (0, 1] of a run from a start image: 1 keeps the reference frames fixed; lower lets them
   * change (Open-Sora's edit ratio r = 1 − S).
   */
  conditionStrength: number;
}

export const DEFAULT_COMPOSER_SETTINGS: ComposerSettings = {
  prompt: '',
  seedMode: 'random',
  seed: 42,
  steps: 30,
  cfgScale: 4,
  lplMode: 'off',
  leapStep: 20,
  tdtmMergedSteps: 0,
  budgetMode: 'all',
  budgetText: '8MB',
  modelId: null,
  clipPreset: '',
  conditionStrength: 1,
};

/**
 * Which settings survive a reload (browser) and which a preset carries. Typed against every key, so a new setting
 * must decide both (excalidraw's APP_STATE_STORAGE_CONF idea).
 */
export const COMPOSER_PERSISTENCE: Record<keyof ComposerSettings, { reload: boolean; preset: boolean }> = {
  prompt: { reload: true, preset: false },
  seedMode: { reload: true, preset: true },
  seed: { reload: true, preset: true },
  steps: { reload: true, preset: true },
  cfgScale: { reload: true, preset: true },
  lplMode: { reload: true, preset: true },
  leapStep: { reload: true, preset: true },
  tdtmMergedSteps: { reload: true, preset: true },
  budgetMode: { reload: true, preset: true },
  budgetText: { reload: true, preset: true },
  modelId: { reload: true, preset: true },
  clipPreset: { reload: true, preset: true },
  conditionStrength: { reload: true, preset: true },
};

/** Keeps only the keys the given purpose persists. */
export function pickPersisted(settings: ComposerSettings, purpose: 'reload' | 'preset'): Partial<ComposerSettings> {
  const picked: Partial<ComposerSettings> = {};
  for (const key of Object.keys(COMPOSER_PERSISTENCE) as Array<keyof ComposerSettings>) {
    if (COMPOSER_PERSISTENCE[key][purpose]) {
      (picked as Record<string, unknown>)[key] = settings[key];
    }
  }
  return picked;
}

/** Restores stored settings over the defaults, keeping only known keys of the right type (old or hand-edited data). */
export function restoreSettings(stored: unknown, base: ComposerSettings = DEFAULT_COMPOSER_SETTINGS): ComposerSettings {
  const result: ComposerSettings = { ...base };
  if (typeof stored !== 'object' || stored === null) {
    return result;
  }
  const record = stored as Record<string, unknown>;
  for (const key of Object.keys(COMPOSER_PERSISTENCE) as Array<keyof ComposerSettings>) {
    const value = record[key];
    const expected = base[key] === null ? 'string' : typeof base[key];
    if (value === null && key === 'modelId') {
      result.modelId = null;
    } else if (typeof value === expected && (typeof value !== 'number' || Number.isFinite(value))) {
      (result as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return result;
}

/** The memory budget the settings ask for, or the reason it is not understood. */
export function budgetFromSettings(settings: Pick<ComposerSettings, 'budgetMode' | 'budgetText'>): { ok: true; budget: MemoryBudget } | { ok: false; message: string } {
  switch (settings.budgetMode) {
    case 'all':
      return { ok: true, budget: { kind: 'all' } };
    case 'min':
      return { ok: true, budget: { kind: 'min' } };
    case 'bytes':
      try {
        const parsed = parseMemoryBudget(settings.budgetText);
        return parsed.kind === 'bytes' ? { ok: true, budget: parsed } : { ok: false, message: 'Give a size such as 300MB, or choose "all" or "min".' };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
  }
}

export type RequestBuild = { ok: true; request: StudioGenerateRequest } | { ok: false; field: keyof ComposerSettings; message: string };

/** The picture a run starts from, as the request carries it (PNG/JPEG bytes, base64). */
export interface StartImage {
  fileName: string;
  dataBase64: string;
}

/** A condition strength the request schema takes: S in (0, 1]. */
export function isConditionStrength(value: number): boolean {
  return Number.isFinite(value) && value > 0 && value <= 1;
}

/** The edit ratio r = 1 − S for display, rounded so 1 − 0.7 reads 0.3. */
export function editRatioOf(strength: number): number {
  return Math.round((1 - strength) * 1e6) / 1e6;
}

/**
 * The request the settings describe, starting from `startImage` when one is chosen (with the condition strength;
 * left out at the default 1, which the engine fills in). Only what the UI can know is checked here (a readable
 * number, a budget it can parse); the backend checks the rest against the model and answers INVALID_PARAMS.
 */
export function toGenerateRequest(settings: ComposerSettings, model: ModelSummary | undefined, startImage: StartImage | null = null): RequestBuild {
  if (settings.prompt.trim().length === 0) {
    return { ok: false, field: 'prompt', message: 'Type a prompt first.' };
  }
  const integers: Array<[keyof ComposerSettings, number]> = [
    ['steps', settings.steps],
    ['tdtmMergedSteps', settings.tdtmMergedSteps],
    ...(settings.seedMode === 'locked' ? ([['seed', settings.seed]] as Array<[keyof ComposerSettings, number]>) : []),
    ...(settings.lplMode === 'fixed' ? ([['leapStep', settings.leapStep]] as Array<[keyof ComposerSettings, number]>) : []),
  ];
  for (const [field, value] of integers) {
    if (!Number.isInteger(value) || value < 0) {
      return { ok: false, field, message: `${FIELD_LABELS[field]} must be a whole number of 0 or more.` };
    }
  }
  if (!Number.isFinite(settings.cfgScale)) {
    return { ok: false, field: 'cfgScale', message: 'CFG scale must be a number.' };
  }
  const budget = budgetFromSettings(settings);
  if (!budget.ok) {
    return { ok: false, field: 'budgetText', message: budget.message };
  }
  if (startImage && !isConditionStrength(settings.conditionStrength)) {
    return { ok: false, field: 'conditionStrength', message: 'Condition strength must be a number in (0, 1]: 1 keeps the start image fixed, lower lets it change.' };
  }
  const request: StudioGenerateRequest = {
    prompt: settings.prompt,
    steps: settings.steps,
    cfgScale: settings.cfgScale,
    lpl: toLplSetting(settings),
    tdtmMergedSteps: settings.tdtmMergedSteps,
    memoryBudget: budget.budget,
  };
  if (settings.seedMode === 'locked') {
    request.seed = settings.seed;
  }
  if (model) {
    request.modelId = model.id;
  }
  const clip = model?.clipPresets ? clipFromPresetKey(settings.clipPreset) : undefined;
  if (clip) {
    request.clip = clip;
  }
  if (startImage) {
    request.reference = imageReference(startImage, settings.conditionStrength);
  }
  return { ok: true, request };
}

function imageReference(image: StartImage, strength: number): StudioReference {
  const reference: StudioReference = { kind: 'image', fileName: image.fileName, dataBase64: image.dataBase64 };
  if (strength !== 1) {
    reference.strength = strength;
  }
  return reference;
}

function toLplSetting(settings: ComposerSettings): NonNullable<StudioGenerateRequest['lpl']> {
  switch (settings.lplMode) {
    case 'off':
      return { kind: 'off' };
    case 'fixed':
      return { kind: 'fixed', leapStep: settings.leapStep };
    case 'dynamic':
      // The paper's rule with the shared defaults (DYNAMIC_LPL_DEFAULTS, filled in by the request schema).
      return { kind: 'dynamic' };
  }
}

export const FIELD_LABELS: Record<keyof ComposerSettings, string> = {
  prompt: 'Prompt',
  seedMode: 'Seed mode',
  seed: 'Seed',
  steps: 'Steps',
  cfgScale: 'CFG scale',
  lplMode: 'LPL',
  leapStep: 'Leap step',
  tdtmMergedSteps: 'TDTM merged steps',
  budgetMode: 'Memory budget',
  budgetText: 'Budget size',
  modelId: 'Model',
  clipPreset: 'Clip size',
  conditionStrength: 'Condition strength',
};

function clipFromPresetKey(key: string): StudioGenerateRequest['clip'] {
  const [resolution, aspect, frames] = key.split('|');
  return resolution && aspect && frames ? { resolution, aspect, frames: Number(frames) } : undefined;
}

/** A fresh random seed in the range the backend accepts. */
export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * (GENERATION_LIMITS.seedMax + 1));
}

/** The composer settings that re-run a finished clip: its resolved settings with the seed locked. */
export function settingsFromResolved(resolved: ResolvedSettings): Partial<ComposerSettings> {
  const settings: Partial<ComposerSettings> = {
    prompt: resolved.prompt,
    seedMode: 'locked',
    seed: resolved.seed,
    steps: resolved.steps,
    cfgScale: resolved.cfgScale,
    lplMode: resolved.lpl.kind,
    tdtmMergedSteps: resolved.tdtmMergedSteps,
    budgetMode: resolved.memoryBudget.kind,
    modelId: resolved.modelId,
    clipPreset: resolved.clip ? clipKey({ ...resolved.clip, frames: resolved.frames }) : '',
  };
  if (resolved.lpl.kind === 'fixed') {
    settings.leapStep = resolved.lpl.leapStep;
  }
  if (resolved.memoryBudget.kind === 'bytes') {
    settings.budgetText = String(resolved.memoryBudget.bytes);
  }
  return settings;
}
