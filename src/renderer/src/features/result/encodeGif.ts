import { encodeGif } from '@shared/media/gif';
import { upscaleNearest } from '@shared/media/pixels';
import type { ResultClip } from './useJobResult';

/** A looping GIF of the clip at an integer scale. */
export function encodeClipGif(clip: ResultClip, scale: number): { bytes: Uint8Array; width: number; height: number } {
  const frameBytes = clip.width * clip.height * 4;
  const frames = Array.from({ length: clip.frames }, (_, index) =>
    upscaleNearest(clip.rgba.subarray(index * frameBytes, (index + 1) * frameBytes), clip.width, clip.height, scale),
  );
  const width = clip.width * scale;
  const height = clip.height * scale;
  return { bytes: encodeGif(frames, width, height, clip.fps), width, height };
}
