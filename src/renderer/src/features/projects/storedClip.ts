import type { GenerationSummary } from '@shared/domain/generation';
import type { HistoryEntry } from '@shared/domain/history';
import { decodeBase64 } from '../../lib/base64';
import type { RgbaFrames } from '../../lib/canvasDraw';
import { studio } from '../../ipc/studio';
import { decodeResultFrames } from '../compare/compareMetrics';

export interface StoredClip extends RgbaFrames {
  fps: number;
  summary: GenerationSummary;
  entry: HistoryEntry;
}

/**
 * Decodes one PNG frame to RGBA at the clip's native size. The files are integer nearest-neighbour upscales, so
 * drawing them down without smoothing gives back the engine's pixels exactly.
 */
async function decodeFrame(pngBase64: string, width: number, height: number): Promise<Uint8ClampedArray> {
  const bitmap = await createImageBitmap(new Blob([decodeBase64(pngBase64) as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    throw new Error('No 2D canvas to decode frames on.');
  }
  context.imageSmoothingEnabled = false;
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return context.getImageData(0, 0, width, height).data;
}

/** A stored run's clip (runs.clip), whenever it was made: its frames decoded from the data folder's PNGs. */
export async function loadStoredClip(runId: string): Promise<StoredClip> {
  const stored = await studio.invoke('runs.clip', { id: runId });
  const frameBytes = stored.width * stored.height * 4;
  const rgba = new Uint8Array(frameBytes * stored.framesPngBase64.length);
  const frames = await Promise.all(stored.framesPngBase64.map((png) => decodeFrame(png, stored.width, stored.height)));
  frames.forEach((frame, index) => rgba.set(frame, index * frameBytes));
  return { width: stored.width, height: stored.height, frames: frames.length, fps: stored.fps, rgba, summary: stored.summary, entry: stored.entry };
}

/** A finished job's frames from this session's results, else from the data folder. */
export async function loadClip(jobId: string): Promise<Omit<StoredClip, 'entry'>> {
  try {
    const result = await studio.invoke('generation.result', { jobId });
    return { ...decodeResultFrames(result), fps: result.fps, summary: result.summary };
  } catch {
    return loadStoredClip(jobId);
  }
}
