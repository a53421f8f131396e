import { z } from 'zod';
import { describeIssues } from '../util/describeIssues';
import { APP_NAME, APP_VERSION } from '../version';
import { conditioningSummarySchema, studioGenerateRequestSchema, type ConditioningSummary, type ResolvedSettings } from './generation';

/**
 * The one reproducibility record: what it takes to make a clip again. The engine writes it beside the clip
 * (clip.json), into the MP4's comment tag and into every frame PNG (an iTXt chunk); export and the project archive
 * copy it as written. It names the model by id, never by the folder it lives in on this machine.
 */
export const REPRODUCIBILITY_RECORD_KIND = 'on-device-sora-studio/reproducibility-record';
export const REPRODUCIBILITY_RECORD_SCHEMA_VERSION = 1;
/** The keyword of the PNG text chunk that carries the record. */
export const PNG_RECORD_KEYWORD = 'on-device-sora-studio';

const count = z.number().int().positive();

export const reproducibilityRecordSchema = z
  .object({
    kind: z.literal(REPRODUCIBILITY_RECORD_KIND),
    schemaVersion: z.literal(REPRODUCIBILITY_RECORD_SCHEMA_VERSION),
    app: z.object({ name: z.string().min(1), version: z.string().min(1) }).strict(),
    createdAt: z.iso.datetime({ offset: true }),
    prompt: z.string().min(1),
    seed: z.number().int().min(0),
    model: z.object({ id: z.string().min(1), version: z.string().min(1) }).strict(),
    /** The request that makes the clip again (settings as resolved, seed included). */
    request: studioGenerateRequestSchema,
    /** What the sampler did: a leap taken early ("Finish now") shows here. */
    run: z.object({ stepsRun: z.number().int().min(0), leapStep: z.number().int().min(0).nullable(), mergedSteps: z.number().int().min(0) }).strict(),
    /** The clip as the model made it (native size). */
    clip: z.object({ frames: count, width: count, height: count, fps: z.number().positive() }).strict(),
    /** The files written beside the record: the clip upscaled by a whole factor (nearest neighbour). */
    files: z.object({ scale: count, width: count, height: count }).strict(),
    /** The reference frames the clip was conditioned on (image-to-video, extension); absent for text alone. */
    reference: conditioningSummarySchema.optional(),
  })
  .strict();
export type ReproducibilityRecord = z.infer<typeof reproducibilityRecordSchema>;

export interface RecordedRun {
  stepsRun: number;
  leapStep: number | null;
  mergedSteps: number;
}

/** The request that makes these settings again (the model by id, the seed included). */
export function requestOfSettings(settings: ResolvedSettings): ReproducibilityRecord['request'] {
  return {
    prompt: settings.prompt,
    seed: settings.seed,
    steps: settings.steps,
    cfgScale: settings.cfgScale,
    lpl: settings.lpl,
    tdtmMergedSteps: settings.tdtmMergedSteps,
    memoryBudget: settings.memoryBudget,
    modelId: settings.modelId,
    ...(settings.clip ? { clip: { ...settings.clip, frames: settings.frames } } : {}),
  };
}

/** The record of a clip made with these settings (and `reference`, when conditioned) and written at `scale`. */
export function buildReproducibilityRecord(
  settings: ResolvedSettings,
  run: RecordedRun,
  scale: number,
  made: { now?: Date; reference?: ConditioningSummary } = {},
): ReproducibilityRecord {
  const now = made.now ?? new Date();
  const request = requestOfSettings(settings);
  return {
    kind: REPRODUCIBILITY_RECORD_KIND,
    schemaVersion: REPRODUCIBILITY_RECORD_SCHEMA_VERSION,
    app: { name: APP_NAME, version: APP_VERSION },
    createdAt: now.toISOString(),
    prompt: settings.prompt,
    seed: settings.seed,
    model: { id: settings.modelId, version: settings.modelVersion },
    request,
    run: { stepsRun: run.stepsRun, leapStep: run.leapStep, mergedSteps: run.mergedSteps },
    clip: { frames: settings.frames, width: settings.width, height: settings.height, fps: settings.fps },
    files: { scale, width: settings.width * scale, height: settings.height * scale },
    ...(made.reference ? { reference: made.reference } : {}),
  };
}

/** The record in a JSON text, or a RangeError naming what is wrong (`source` says where the text came from). */
export function parseReproducibilityRecord(text: string, source: string): ReproducibilityRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = reproducibilityRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new RangeError(`${source} is not a reproducibility record: ${describeIssues(parsed.error.issues, '(record)')}`);
  }
  return parsed.data;
}
