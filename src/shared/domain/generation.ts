import { z } from 'zod';
import type { SerializedError } from '../ipc/errors';
import { DYNAMIC_LPL_DEFAULTS } from './lpl';
import { memoryBudgetSchema, type MemoryBudget } from './memoryBudget';
import { clipChoiceSchema } from '../model/clipSize';

/** Limits checked before any compute (bad input gets a clear error naming the field). */
export const GENERATION_LIMITS = {
  promptMaxChars: 2000,
  stepsMin: 1,
  stepsMax: 200,
  cfgMin: 0,
  cfgMax: 30,
  seedMax: 2 ** 32 - 1,
} as const;

export const lplSettingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('off') }),
  /** Leap at step index n (0-based): n regular steps, then one leap evaluation → n + 1 model calls. */
  z.object({ kind: z.literal('fixed'), leapStep: z.number().int().min(1) }),
  /** The paper's dynamic rule (minimum step, tolerance, patience) on consecutive guided velocities. */
  z.object({
    kind: z.literal('dynamic'),
    minimumStep: z.number().int().min(1).default(DYNAMIC_LPL_DEFAULTS.minimumStep),
    tolerance: z.number().positive().default(DYNAMIC_LPL_DEFAULTS.tolerance),
    patience: z.number().int().min(1).default(DYNAMIC_LPL_DEFAULTS.patience),
    compare: z.enum(['full-latent', 'paper-slice']).default(DYNAMIC_LPL_DEFAULTS.compare),
  }),
]);
export type LplSetting = z.infer<typeof lplSettingSchema>;

/**
 * Reference frames for the clip (Open-Sora 1.2's reference conditioning, models that support it): `image` makes a
 * PNG/JPEG the first frame; `extend` continues a clip (a PNG-frames folder or a GIF) from its last VAE chunk of
 * frames. `strength` 1 (default) keeps the reference latent frames fixed; S in (0, 1) lets them change, as
 * Open-Sora's edit ratio r = 1 − S: they are noised once when t first falls to r·1000.
 */
export const referenceRequestSchema = z
  .object({
    kind: z.enum(['image', 'extend']),
    path: z.string().min(1),
    /** What the user named (a file, a folder or a history run id), for the record; `path` when absent. */
    source: z.string().min(1).optional(),
    strength: z.number().gt(0).max(1).optional(),
  })
  .strict();
export type ReferenceRequest = z.infer<typeof referenceRequestSchema>;

/**
 * The largest reference image the studio takes, in bytes: it crosses the transport inline, in one message (the
 * browser-mode WebSocket takes at most 1 MiB; base64 adds a third).
 */
export const REFERENCE_IMAGE_MAX_BYTES = 640 * 1024;

const referenceStrengthSchema = z.number().gt(0).max(1).optional();
const runIdSchema = z.string().min(1).max(100);

/**
 * Reference frames as the studio names them: never a path on the machine that runs it. `image` carries the picture
 * itself (PNG/JPEG bytes, base64) when a run is started; the history and the archive keep only its file name (the
 * picture is kept in the run's folder). `extend` names a run of the history, continued from its last frames.
 */
export const studioReferenceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('image'),
      fileName: z.string().trim().min(1).max(255),
      dataBase64: z
        .string()
        .max(Math.ceil(REFERENCE_IMAGE_MAX_BYTES / 3) * 4, `the image is larger than ${REFERENCE_IMAGE_MAX_BYTES / 1024} KiB`)
        .optional(),
      strength: referenceStrengthSchema,
    })
    .strict(),
  z.object({ kind: z.literal('extend'), runId: runIdSchema, strength: referenceStrengthSchema }).strict(),
]);
export type StudioReference = z.infer<typeof studioReferenceSchema>;

/** The line the history shows for a conditioned run (`runLabel` names the source run); a strength below 1 is named. */
export function describeStudioReference(reference: StudioReference, runLabel: (runId: string) => string): string {
  const source = reference.kind === 'image' ? `from image ${reference.fileName}` : `extended from run ${runLabel(reference.runId)}`;
  return reference.strength === undefined || reference.strength === 1 ? source : `${source}, strength ${reference.strength}`;
}

/**
 * What a conditioned run was conditioned on: `--json`'s `conditioning` and the reproducibility record's `reference`
 * (where `source` is only the file's name or the run, never a folder of this machine).
 */
export const conditioningSummarySchema = z
  .object({
    kind: z.enum(['image', 'extend']),
    /** The image or clip file, or `run ID` for a run of the history. */
    source: z.string().min(1),
    /** Condition strength S in (0, 1] and the edit ratio r = 1 − S the sampler used (r = 0: frames kept fixed). */
    strength: z.number().gt(0).max(1),
    editRatio: z.number().min(0).lt(1),
    /** Latent frames held by the reference, and the video frames they stand for. */
    latentFrames: z.number().int().positive(),
    pixelFrames: z.number().int().positive(),
  })
  .strict();
export type ConditioningSummary = z.infer<typeof conditioningSummarySchema>;

export const generateRequestSchema = z
  .object({
    prompt: z
      .string()
      .max(GENERATION_LIMITS.promptMaxChars, `prompt is longer than ${GENERATION_LIMITS.promptMaxChars} characters`)
      .refine((text) => text.trim().length > 0, 'prompt is empty'),
    seed: z.number().int().min(0).max(GENERATION_LIMITS.seedMax).optional(),
    steps: z.number().int().min(GENERATION_LIMITS.stepsMin).max(GENERATION_LIMITS.stepsMax).optional(),
    cfgScale: z.number().min(GENERATION_LIMITS.cfgMin).max(GENERATION_LIMITS.cfgMax).optional(),
    lpl: lplSettingSchema.optional(),
    /** TDTM: merge frame pairs in the first m steps. */
    tdtmMergedSteps: z.number().int().min(0).optional(),
    memoryBudget: memoryBudgetSchema.optional(),
    /** Model package folder; the built-in model when absent. */
    modelPath: z.string().min(1).optional(),
    /** Clip size by the package's presets (resolution, aspect, frames); the package's default when absent. */
    clip: clipChoiceSchema.optional(),
    reference: referenceRequestSchema.optional(),
  })
  .strict();
export type GenerateRequest = z.input<typeof generateRequestSchema>;
export type ParsedGenerateRequest = z.output<typeof generateRequestSchema>;

/** A registered model's id (the catalog's key); never a path. */
export const modelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'must be a model id from models.list');

/**
 * What the studio's transport accepts: the same settings, naming a registered model by id (the built-in one when
 * absent). A folder path never crosses the transport: the backend resolves the id to its package through the catalog.
 */
export const studioGenerateRequestSchema = generateRequestSchema
  .omit({ modelPath: true, reference: true })
  .extend({ modelId: modelIdSchema.optional(), reference: studioReferenceSchema.optional() })
  .strict();
export type StudioGenerateRequest = z.input<typeof studioGenerateRequestSchema>;

/** Settings after defaults were applied: what actually ran (the reproducibility record). */
export interface ResolvedSettings {
  prompt: string;
  seed: number;
  steps: number;
  cfgScale: number;
  lpl: LplSetting;
  tdtmMergedSteps: number;
  memoryBudget: MemoryBudget;
  modelId: string;
  modelVersion: string;
  modelPath: string;
  /** The clip made: video frames, output pixel size, playback fps. */
  frames: number;
  height: number;
  width: number;
  fps: number;
  /** The preset it was made at, for packages with presets (Open-Sora 1.2). */
  clip?: { resolution: string; aspect: string };
}

/**
 * One unit's load and run on the CI-DL timeline. All times are on one clock: the streamer records epoch ms
 * (performance.timeOrigin + performance.now(), shared by the engine thread and its ORT workers); step events carry
 * them as ms since the job started (`timingSince`).
 */
export interface UnitTiming {
  readonly unitId: string;
  /** Position of the unit in its pass. */
  readonly unitIndex: number;
  /** Executor index: the worker thread the unit's session lives on. */
  readonly executor: number;
  /** Null when the unit was already resident at the start of its run's pass. */
  readonly loadStartMs: number | null;
  readonly loadEndMs: number | null;
  /** Loaded while the previous unit ran (CI-DL's overlap). */
  readonly prefetched: boolean;
  readonly runStartMs: number;
  readonly runEndMs: number;
}

/** The same row with every time measured from `originMs`. */
export function timingSince(row: UnitTiming, originMs: number): UnitTiming {
  return {
    ...row,
    loadStartMs: row.loadStartMs === null ? null : row.loadStartMs - originMs,
    loadEndMs: row.loadEndMs === null ? null : row.loadEndMs - originMs,
    runStartMs: row.runStartMs - originMs,
    runEndMs: row.runEndMs - originMs,
  };
}

export interface StepPreview {
  width: number;
  height: number;
  frames: number;
  /** RGBA, frames concatenated, width·height·4 bytes each. */
  rgba: Uint8Array;
}

export type GenerationEvent =
  /** plannedModelCalls: null for dynamic LPL, which decides its leap during the run (shared/domain/lpl.ts). */
  | { kind: 'started'; settings: ResolvedSettings; plannedModelCalls: number | null; budgetBytes: number; minimumBudgetBytes: number; residentUnitIds: string[] }
  | { kind: 'warning'; message: string }
  | { kind: 'stage'; stage: 'text' | 'encode' | 'denoise' | 'decode' | 'write'; elapsedMs: number }
  | {
      kind: 'step';
      stepIndex: number;
      totalSteps: number;
      timestep: number;
      merged: boolean;
      leap: boolean;
      cosine: number | null;
      latencyMs: number;
      units: UnitTiming[];
      overlapMs: number;
      /** Engine process RSS after the step. */
      rssBytes: number;
      /** Model bytes loaded at once during the step (peak of the resident prefix + streamed units). */
      residentBytes: number;
      budgetBytes: number;
      preview: StepPreview | null;
    }
  | { kind: 'done'; summary: GenerationSummary }
  | { kind: 'failed'; error: SerializedError }
  | { kind: 'cancelled' };

/** The stable result record (the CLI's --json output, the history row). */
export interface GenerationSummary {
  settings: ResolvedSettings;
  /** The prompt after the model's preparation: the text its tokenizer read. */
  promptText: string;
  /** The token ids fed to the text encoder, before padding (end token included). */
  promptTokens: number[];
  seed: number;
  stepsRun: number;
  leapStep: number | null;
  mergedSteps: number;
  /** `load`: session loading no compute hid; text, denoise and decode: stage time without it. */
  /** `encode`: the reference frames' VAE encode (0 without reference frames; absent in older records). */
  timingsMs: { load: number; text: number; encode?: number; denoise: number; decode: number; write: number; total: number };
  stepLatencyMs: number[];
  peakRssBytes: number;
  peakResidentBytes: number;
  memoryBudgetBytes: number;
  /** The clip's activation estimate that the budget includes. */
  activationBytes: number;
  /** Engine RSS with its runtime up and no session loaded: peakRssBytes should stay within budget + this. */
  baselineRssBytes: number;
  outputs: string[];
  warnings: string[];
  /** Present when the clip was conditioned on reference frames. */
  conditioning?: ConditioningSummary;
}
