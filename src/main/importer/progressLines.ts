import { z } from 'zod';

/**
 * `import-model --progress-json`: one JSON object per stdout line (the Python importer writes the same unit and done
 * lines). The studio runs the importer as a child process and reads these lines, so they are validated where they
 * enter it.
 */
export const importLineSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('unit'),
    unit: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().positive(),
    sizeBytes: z.number().nonnegative(),
    elapsedSeconds: z.number().nonnegative(),
    peakRssBytes: z.number().nonnegative(),
  }),
  z.object({
    event: z.literal('done'),
    out: z.string(),
    sizeBytes: z.number().nonnegative(),
    seconds: z.number().nonnegative(),
    peakRssBytes: z.number().nonnegative(),
    previewRmse: z.number(),
  }),
  /** refused: the user's files (exit 2); cancelled: SIGINT/SIGTERM (exit 130); failed: anything else (exit 1). */
  z.object({ event: z.enum(['refused', 'cancelled', 'failed']), message: z.string() }),
]);

export type ImportLine = z.infer<typeof importLineSchema>;

export function formatImportLine(line: ImportLine): string {
  return `${JSON.stringify(line)}\n`;
}
