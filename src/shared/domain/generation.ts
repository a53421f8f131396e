import { z } from 'zod';
import type { SerializedError } from '../ipc/errors';
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
    minimumStep: z.number().int().min(1).default(14),
    tolerance: z.number().positive().default(1e-3),
    patience: z.number().int().min(1).default(3),
    compare: z.enum(['full-latent', 'paper-slice']).default('full-latent'),
  }),
]);
export type LplSetting = z.infer<typeof lplSettingSchema>;

export const memoryBudgetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('min') }),
  z.object({ kind: z.literal('bytes'), bytes: z.number().int().positive() }),
]);

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
  })
  .strict();
export type GenerateRequest = z.input<typeof generateRequestSchema>;
export type ParsedGenerateRequest = z.output<typeof generateRequestSchema>;

/** Settings after defaults were applied: what actually ran (the reproducibility record). */
export interface ResolvedSettings {
  prompt: string;
  seed: number;
  steps: number;
  cfgScale: number;
  lpl: LplSetting;
  tdtmMergedSteps: number;
  memoryBudget: z.infer<typeof memoryBudgetSchema>;
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

/** One unit execution on the CI-DL timeline (times in ms since the job started). */
export interface UnitTiming {
  unitId: string;
  executor: number;
  loadStartMs: number | null;
  loadEndMs: number | null;
  runStartMs: number;
  runEndMs: number;
}

export interface StepPreview {
  width: number;
  height: number;
  frames: number;
  /** RGBA, frames concatenated, width·height·4 bytes each. */
  rgba: Uint8Array;
}

export type GenerationEvent =
  | { kind: 'started'; settings: ResolvedSettings; plannedModelCalls: number; budgetBytes: number; minimumBudgetBytes: number; residentUnitIds: string[] }
  | { kind: 'warning'; message: string }
  | { kind: 'stage'; stage: 'text' | 'denoise' | 'decode' | 'write'; elapsedMs: number }
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
  timingsMs: { load: number; text: number; denoise: number; decode: number; write: number; total: number };
  stepLatencyMs: number[];
  peakRssBytes: number;
  peakResidentBytes: number;
  memoryBudgetBytes: number;
  outputs: string[];
  warnings: string[];
}
