import type { GenerationSummary } from '@shared/domain/generation';
import type { JobId } from '@shared/domain/studio';
import { studio } from '../../ipc/studio';
import { saveBytes, saveText } from '../../lib/download';
import { encodeClipGif } from './encodeGif';
import { addPngText } from './pngText';
import { buildReproRecord, exportBaseName, type ExportInfo } from './reproRecord';
import { upscaleNearest } from '@shared/media/pixels';
import { resultClip, type ResultClip } from './useJobResult';

export const PNG_RECORD_KEYWORD = 'on-device-sora-studio';

/** The platform's words for showing a file in its folder. */
export const REVEAL_LABEL = navigator.userAgent.includes('Mac') ? 'Reveal in Finder' : navigator.userAgent.includes('Windows') ? 'Show in Explorer' : 'Show in file manager';

/** The run's clip file, selected in the system's file manager (on the machine that runs the studio). */
export async function revealRun(jobId: JobId): Promise<ExportOutcome> {
  const { file } = await studio.invoke('runs.reveal', { id: jobId });
  return { files: [], detail: `Shown in its folder: ${file}` };
}

export interface ExportOutcome {
  files: string[];
  detail: string;
}

function clipOrThrow(jobId: JobId): ResultClip {
  const clip = resultClip(jobId);
  if (!clip) {
    throw new Error('The clip is no longer in memory; generate it again.');
  }
  return clip;
}

function recordJson(jobId: JobId, summary: GenerationSummary, info: ExportInfo): string {
  return `${JSON.stringify(buildReproRecord(jobId, summary, info), null, 2)}\n`;
}

/** MP4 (H.264), or WebM (VP9) where H.264 is missing, with the record in the file's comment and as a sidecar JSON. */
export async function exportVideo(jobId: JobId, summary: GenerationSummary, scale: number): Promise<ExportOutcome> {
  const clip = clipOrThrow(jobId);
  const base = exportBaseName(summary.settings.prompt, summary.seed);
  const infoFor = (extension: 'mp4' | 'webm', codec: string, width: number, height: number): ExportInfo => ({
    fileName: `${base}.${extension}`,
    format: extension,
    codec,
    scale,
    width,
    height,
    frames: clip.frames,
    fps: clip.fps,
  });
  // mediabunny is loaded on the first video export, not with the page.
  const { encodeClipVideo } = await import('./encodeVideo');
  const video = await encodeClipVideo(clip, {
    scale,
    title: summary.settings.prompt,
    comment: (chosen) => recordJson(jobId, summary, infoFor(chosen.extension, chosen.codec, chosen.width, chosen.height)),
  });
  const info = infoFor(video.extension, video.mimeType, video.width, video.height);
  saveBytes(video.bytes, info.fileName, video.mimeType.split(';')[0]);
  saveText(recordJson(jobId, summary, info), `${info.fileName}.json`, 'application/json');
  const fallback = video.codec === 'avc' ? '' : ' (H.264 is not available here: WebM/VP9 instead)';
  return { files: [info.fileName, `${info.fileName}.json`], detail: `${video.codec.toUpperCase()} ${video.width}×${video.height}, ${video.frames} frames, ${formatKilobytes(video.bytes.length)}${fallback}` };
}

export function exportGif(jobId: JobId, summary: GenerationSummary, scale: number): ExportOutcome {
  const clip = clipOrThrow(jobId);
  const gif = encodeClipGif(clip, scale);
  const fileName = `${exportBaseName(summary.settings.prompt, summary.seed)}.gif`;
  const info: ExportInfo = { fileName, format: 'gif', codec: 'gif', scale, width: gif.width, height: gif.height, frames: clip.frames, fps: clip.fps };
  saveBytes(gif.bytes, fileName, 'image/gif');
  saveText(recordJson(jobId, summary, info), `${fileName}.json`, 'application/json');
  return { files: [fileName, `${fileName}.json`], detail: `${gif.width}×${gif.height}, ${clip.frames} frames, ${formatKilobytes(gif.bytes.length)}` };
}

/** The frame on screen as a PNG, with the record inside it (an iTXt chunk). */
export async function exportFramePng(jobId: JobId, summary: GenerationSummary, scale: number, frameIndex: number): Promise<ExportOutcome> {
  const clip = clipOrThrow(jobId);
  const frameBytes = clip.width * clip.height * 4;
  const index = Math.min(Math.max(0, frameIndex), clip.frames - 1);
  const pixels = upscaleNearest(clip.rgba.subarray(index * frameBytes, (index + 1) * frameBytes), clip.width, clip.height, scale);
  const width = clip.width * scale;
  const height = clip.height * scale;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) {
    throw new Error('No 2D canvas is available.');
  }
  context.putImageData(new ImageData(new Uint8ClampedArray(pixels) as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((result) => (result ? resolve(result) : reject(new Error('PNG encoding failed.'))), 'image/png'));
  const fileName = `${exportBaseName(summary.settings.prompt, summary.seed)}-frame${String(index + 1).padStart(2, '0')}.png`;
  const info: ExportInfo = { fileName, format: 'png', codec: null, scale, width, height, frames: 1, fps: clip.fps };
  const png = addPngText(new Uint8Array(await blob.arrayBuffer()), PNG_RECORD_KEYWORD, recordJson(jobId, summary, info));
  saveBytes(png, fileName, 'image/png');
  return { files: [fileName], detail: `frame ${index + 1}, ${width}×${height}, record embedded` };
}

export function exportRecord(jobId: JobId, summary: GenerationSummary): ExportOutcome {
  const fileName = `${exportBaseName(summary.settings.prompt, summary.seed)}.json`;
  saveText(`${JSON.stringify(buildReproRecord(jobId, summary, null), null, 2)}\n`, fileName, 'application/json');
  return { files: [fileName], detail: 'settings and timings' };
}

function formatKilobytes(sizeBytes: number): string {
  return `${(sizeBytes / 1000).toFixed(1)} kB`;
}
