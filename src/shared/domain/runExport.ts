import { z } from 'zod';

/**
 * Exporting a run: the backend copies the run's files from disk (or makes them from the frame PNGs on disk when the
 * file is not there or another scale is asked for) to where the user chooses: a save dialog in the desktop app, a
 * download in browser mode. MP4 and GIF come with the record as a sidecar JSON; a PNG carries it inside.
 */
export const RUN_EXPORT_FORMATS = ['mp4', 'gif', 'png', 'json'] as const;
export type RunExportFormat = (typeof RUN_EXPORT_FORMATS)[number];

/** Whole nearest-neighbour factors the export offers over the clip's native size. */
export const RUN_EXPORT_SCALES = [1, 2, 4, 8, 16] as const;

export const runExportRequestSchema = z
  .object({
    id: z.string().min(1).max(100),
    format: z.enum(RUN_EXPORT_FORMATS),
    /** Over the native size; absent: the scale the files were written at. Not for JSON. */
    scale: z.number().int().min(1).max(16).optional(),
    /** The frame for PNG (0-based). */
    frameIndex: z.number().int().min(0).max(100_000).optional(),
  })
  .strict();
export type RunExportRequest = z.infer<typeof runExportRequestSchema>;

/** One exported file as the backend made it: written (desktop) or to download from the media route (browser mode). */
export interface ExportedFile {
  fileName: string;
  sizeBytes: number;
}

export type RunExportResult =
  | { kind: 'saved'; files: Array<ExportedFile & { path: string }>; detail: string }
  | { kind: 'download'; files: Array<ExportedFile & { url: string }>; detail: string }
  /** The user closed the save dialog. */
  | { kind: 'cancelled' };

/** A file-name stem from the prompt and seed: "a-yellow-square-moving-up-seed42". */
export function exportBaseName(prompt: string, seed: number): string {
  const slug = prompt
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return `${slug || 'clip'}-seed${seed}`;
}
