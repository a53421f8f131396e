import type { RunExportFormat, RunExportResult } from '@shared/domain/runExport';
import type { JobId } from '@shared/domain/studio';
import { studio } from '../../ipc/studio';
import { downloadUrl } from '../../lib/download';

/** The platform's words for showing a file in its folder. */
export const REVEAL_LABEL = navigator.userAgent.includes('Mac') ? 'Reveal in Finder' : navigator.userAgent.includes('Windows') ? 'Show in Explorer' : 'Show in file manager';

export interface ExportOutcome {
  files: string[];
  detail: string;
}

/** The run's clip file, selected in the system's file manager (on the machine that runs the studio). */
export async function revealRun(jobId: JobId): Promise<ExportOutcome> {
  const { file } = await studio.invoke('runs.reveal', { id: jobId });
  return { files: [], detail: `Shown in its folder: ${file}` };
}

export interface ExportChoice {
  format: RunExportFormat;
  /** Over the native size (not for JSON). */
  scale?: number;
  /** For PNG: the frame on screen (0-based). */
  frameIndex?: number;
}

/**
 * Exports the run's files from disk through the backend: the desktop app saves them where the user chose, browser
 * mode downloads them from the studio's media route.
 */
export async function exportRunFiles(jobId: JobId, choice: ExportChoice): Promise<ExportOutcome> {
  const result: RunExportResult = await studio.invoke('runs.export', { id: jobId, ...choice });
  if (result.kind === 'cancelled') {
    return { files: [], detail: 'Export cancelled.' };
  }
  if (result.kind === 'download') {
    result.files.forEach((file) => downloadUrl(file.url, file.fileName));
  }
  const files = result.files.map((file) => `${file.fileName} (${formatKilobytes(file.sizeBytes)})`);
  return { files, detail: result.detail };
}

function formatKilobytes(sizeBytes: number): string {
  return `${(sizeBytes / 1000).toFixed(1)} kB`;
}
