import type { GenerationSummary } from '@shared/domain/generation';
import type { HistoryEntry } from '@shared/domain/history';
import type { RgbaFrames } from '../../lib/canvasDraw';
import { studio } from '../../ipc/studio';

export interface StoredClip extends RgbaFrames {
  fps: number;
  summary: GenerationSummary;
  entry: HistoryEntry;
}

/**
 * Loads one PNG frame from the studio's media route (files on disk, never pixels kept in the main process) and
 * decodes it to RGBA at the clip's native size. The files are integer nearest-neighbour upscales, so drawing them
 * down without smoothing gives back the engine's pixels exactly.
 */
async function decodeFrame(url: string, width: number, height: number): Promise<Uint8ClampedArray> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`A frame of the clip could not be loaded (${response.status}): ${await response.text()}`);
  }
  const bitmap = await createImageBitmap(await response.blob());
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

/** A clip's frames (URLs of its PNGs) as one RGBA buffer, frames concatenated: the layout the canvas helpers draw. */
async function loadFrames(clip: { width: number; height: number; frameUrls: string[] }): Promise<RgbaFrames> {
  const frameBytes = clip.width * clip.height * 4;
  const rgba = new Uint8Array(frameBytes * clip.frameUrls.length);
  const frames = await Promise.all(clip.frameUrls.map((url) => decodeFrame(url, clip.width, clip.height)));
  frames.forEach((frame, index) => rgba.set(frame, index * frameBytes));
  return { width: clip.width, height: clip.height, frames: frames.length, rgba };
}

/** A stored run's clip (runs.clip), whenever it was made: its frames loaded from the data folder's PNGs. */
export async function loadStoredClip(runId: string): Promise<StoredClip> {
  const stored = await studio.invoke('runs.clip', { id: runId });
  return { ...(await loadFrames(stored)), fps: stored.fps, summary: stored.summary, entry: stored.entry };
}

/** A finished job's frames: this session's result, else the stored run's; both from the data folder. */
export async function loadClip(jobId: string): Promise<Omit<StoredClip, 'entry'>> {
  let result;
  try {
    result = await studio.invoke('generation.result', { jobId });
  } catch {
    return loadStoredClip(jobId);
  }
  return { ...(await loadFrames(result)), fps: result.fps, summary: result.summary };
}
