import { z } from 'zod';

/** A project groups runs and comparisons; there is always exactly one default project. */
export interface Project {
  id: string;
  name: string;
  createdAtMs: number;
  isDefault: boolean;
  runCount: number;
  comparisonCount: number;
}

/** Where a started run is filed: a project (the default one when absent) and the run it was made from. */
export interface RunPlacement {
  projectId?: string;
  derivedFrom?: string;
}

export const PROJECT_NAME_MAX_CHARS = 120;

export const projectNameSchema = z
  .string()
  .max(PROJECT_NAME_MAX_CHARS, `a project name is at most ${PROJECT_NAME_MAX_CHARS} characters`)
  .refine((name) => name.trim().length > 0, 'a project name cannot be empty')
  .refine((name) => ![...name].some((char) => char.charCodeAt(0) < 0x20), 'a project name cannot hold control characters');

const idSchema = z.string().min(1).max(100);

/** One variant of a saved comparison, as the compare panel edits it (steps and an LPL setting). */
export const savedVariantSchema = z
  .object({
    steps: z.number().int().min(1).max(200),
    lpl: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('off') }).strict(),
      z.object({ kind: z.literal('fixed'), leapStep: z.number().int().min(1) }).strict(),
      z.object({ kind: z.literal('dynamic'), minimumStep: z.number().int().min(1) }).strict(),
    ]),
  })
  .strict();
export type SavedVariant = z.infer<typeof savedVariantSchema>;

export const saveComparisonSchema = z
  .object({
    projectId: idSchema.optional(),
    prompt: z.string().min(1).max(2000),
    seed: z.number().int().min(0),
    variants: z
      .array(z.object({ variant: savedVariantSchema, runId: idSchema.nullable(), startError: z.string().max(2000).nullable() }).strict())
      .min(2)
      .max(12),
  })
  .strict();
export type SaveComparisonInput = z.infer<typeof saveComparisonSchema>;

/** A comparison as stored: prompt, seed, the variants in order (the first is the baseline) and the run of each. */
export interface SavedComparison {
  id: string;
  projectId: string;
  createdAtMs: number;
  prompt: string;
  seed: number;
  variants: Array<{ variant: SavedVariant; runId: string | null; startError: string | null }>;
}

/** What an import brought in. */
export interface ImportOutcome {
  project: Project;
  runCount: number;
  comparisonCount: number;
  /** Model ids the imported runs name that are not installed here (their runs are kept and marked). */
  missingModelIds: string[];
}
