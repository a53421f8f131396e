import { z } from 'zod';
import { studioGenerateRequestSchema, type StudioGenerateRequest } from './generation';
import { projectNameSchema, savedVariantSchema } from './projects';

/**
 * The `project.json` at the root of an exported project archive. Runs and comparisons refer to each other by keys
 * local to the archive (r1, r2, … in the order the runs were made; c1, c2, …), media by entry names inside the
 * archive, so the file holds no ids of the exporting studio and no absolute paths.
 */
export const PROJECT_ARCHIVE_FORMAT = 'on-device-sora-studio/project';
export const PROJECT_ARCHIVE_SCHEMA_VERSION = 1;

/** Stated limits an archive must stay within (a zip bomb is refused before anything is written). */
export const PROJECT_ARCHIVE_LIMITS = {
  maxEntries: 10_000,
  maxEntryBytes: 256 * 1024 ** 2,
  maxTotalBytes: 4 * 1024 ** 3,
  maxProjectJsonBytes: 32 * 1024 ** 2,
} as const;
export type ProjectArchiveLimits = { [K in keyof typeof PROJECT_ARCHIVE_LIMITS]: number };

const isoDate = z.iso.datetime({ offset: true });
const key = z.string().regex(/^[a-z][0-9]{1,6}$/, 'a key is a letter and a number, e.g. r1');
const entryName = z.string().min(1).max(500);

export const archiveRunMediaSchema = z
  .object({
    thumbnail: entryName.nullable(),
    gif: entryName.nullable(),
    mp4: entryName.nullable(),
    frames: z.array(entryName).max(5000),
    /** The run's reproducibility record (clip.json) as written; archives from before it travelled lack it. */
    record: entryName.nullable().optional(),
    /** The image an image-to-video run started from (a PNG or JPEG, as uploaded); absent for other runs. */
    reference: entryName.nullable().optional(),
  })
  .strict();
export type ArchiveRunMedia = z.infer<typeof archiveRunMediaSchema>;

/** A generation request as it was given: checked against the request schema, kept as written (no defaults added). */
const portableRequestSchema = z
  .unknown()
  .superRefine((value, context) => {
    const parsed = studioGenerateRequestSchema.safeParse(value);
    for (const issue of parsed.success ? [] : parsed.error.issues) {
      context.addIssue({ code: 'custom', path: issue.path as Array<string | number>, message: issue.message });
    }
  })
  .transform((value) => value as StudioGenerateRequest);

/** The parts of a generation summary the history's columns come from; the rest travels as it is. */
const archiveSummarySchema = z.looseObject({
  settings: z.looseObject({ modelId: z.string(), modelVersion: z.string(), steps: z.number().int() }),
  seed: z.number().int(),
  stepsRun: z.number().int(),
  leapStep: z.number().int().nullable(),
  mergedSteps: z.number().int(),
  timingsMs: z.looseObject({ total: z.number() }),
  peakRssBytes: z.number(),
  memoryBudgetBytes: z.number(),
  outputs: z.array(z.string()),
});

export const archiveRunSchema = z
  .object({
    key,
    createdAt: isoDate,
    /** When the run left the queue (null for one that never started). */
    startedAt: isoDate.nullable(),
    finishedAt: isoDate.nullable(),
    /** Runs still queued or running are not exported; one cut off by a crash is ('interrupted'). */
    status: z.enum(['done', 'failed', 'cancelled', 'interrupted']),
    prompt: z.string().min(1).max(2000),
    seed: z.number().int().nullable(),
    starred: z.boolean(),
    derivedFrom: key.nullable(),
    model: z.object({ id: z.string().nullable(), version: z.string().nullable(), manifestHash: z.string().nullable() }).strict(),
    request: portableRequestSchema,
    summary: archiveSummarySchema.nullable(),
    error: z.object({ code: z.string(), message: z.string(), detail: z.string().optional() }).strict().nullable(),
    media: archiveRunMediaSchema,
  })
  .strict();
export type ArchiveRun = z.infer<typeof archiveRunSchema>;

export const archiveComparisonSchema = z
  .object({
    key,
    createdAt: isoDate,
    prompt: z.string().min(1).max(2000),
    seed: z.number().int().min(0),
    variants: z.array(z.object({ variant: savedVariantSchema, run: key.nullable(), startError: z.string().nullable() }).strict()).min(2).max(12),
  })
  .strict();
export type ArchiveComparison = z.infer<typeof archiveComparisonSchema>;

export const projectArchiveSchema = z
  .object({
    format: z.literal(PROJECT_ARCHIVE_FORMAT),
    schemaVersion: z.literal(PROJECT_ARCHIVE_SCHEMA_VERSION),
    app: z.object({ name: z.string(), version: z.string() }).strict(),
    exportedAt: isoDate,
    project: z.object({ name: projectNameSchema, createdAt: isoDate }).strict(),
    runs: z.array(archiveRunSchema).max(PROJECT_ARCHIVE_LIMITS.maxEntries),
    comparisons: z.array(archiveComparisonSchema).max(PROJECT_ARCHIVE_LIMITS.maxEntries),
  })
  .strict()
  .superRefine((archive, context) => {
    const runKeys = new Set<string>();
    for (const [index, run] of archive.runs.entries()) {
      if (runKeys.has(run.key)) {
        context.addIssue({ code: 'custom', path: ['runs', index, 'key'], message: `run key ${run.key} is used twice` });
      }
      runKeys.add(run.key);
    }
    for (const [index, run] of archive.runs.entries()) {
      // An extended run names its source by key; a source outside the project keeps the id it had (imported as it is).
      const extended = run.request.reference?.kind === 'extend' ? run.request.reference.runId : null;
      if (extended !== null && key.safeParse(extended).success && !runKeys.has(extended)) {
        context.addIssue({ code: 'custom', path: ['runs', index, 'request', 'reference', 'runId'], message: `names run ${extended}, which the archive does not hold` });
      }
      if (run.derivedFrom !== null && !runKeys.has(run.derivedFrom)) {
        context.addIssue({ code: 'custom', path: ['runs', index, 'derivedFrom'], message: `names run ${run.derivedFrom}, which the archive does not hold` });
      }
    }
    const cycle = lineageCycle(archive.runs);
    if (cycle) {
      const index = archive.runs.findIndex((run) => run.key === cycle[0]);
      const message = cycle.length === 2 ? `run ${cycle[0]} is derived from itself` : `lineage goes round in a circle (${cycle.join(' → ')})`;
      context.addIssue({ code: 'custom', path: ['runs', index, 'derivedFrom'], message });
    }
    for (const [index, comparison] of archive.comparisons.entries()) {
      for (const [position, variant] of comparison.variants.entries()) {
        if (variant.run !== null && !runKeys.has(variant.run)) {
          context.addIssue({ code: 'custom', path: ['comparisons', index, 'variants', position, 'run'], message: `names run ${variant.run}, which the archive does not hold` });
        }
      }
    }
  });
export type ProjectArchive = z.infer<typeof projectArchiveSchema>;

/**
 * The first lineage cycle among runs (keys from a run back to itself, e.g. [r1, r2, r1]; [r1, r1] for a run derived
 * from itself), or null. Each chain is walked once, without recursion: runs are at most PROJECT_ARCHIVE_LIMITS.maxEntries.
 */
export function lineageCycle(runs: ReadonlyArray<{ key: string; derivedFrom: string | null }>): string[] | null {
  const parentOf = new Map(runs.map((run) => [run.key, run.derivedFrom]));
  const settled = new Set<string>();
  for (const run of runs) {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let key: string | null | undefined = run.key;
    while (key && !settled.has(key)) {
      if (onChain.has(key)) {
        return [...chain.slice(chain.indexOf(key)), key];
      }
      onChain.add(key);
      chain.push(key);
      key = parentOf.get(key);
    }
    chain.forEach((walked) => settled.add(walked));
  }
  return null;
}

/**
 * Why an entry name cannot be extracted safely, or null when it can: names are relative, forward-slash paths that
 * stay inside the archive's folder.
 */
export function entryNameProblem(name: string): string | null {
  if (name.length === 0) {
    return 'has an empty name';
  }
  if (name.includes('\0')) {
    return 'has a NUL character in its name';
  }
  if (name.includes('\\')) {
    return 'uses backslashes (a Windows path)';
  }
  if (/^[a-zA-Z]:/.test(name)) {
    return 'starts with a drive letter (an absolute Windows path)';
  }
  if (name.startsWith('/')) {
    return 'is an absolute path';
  }
  if (name.split('/').includes('..')) {
    return 'climbs out of the archive with ".."';
  }
  return null;
}
