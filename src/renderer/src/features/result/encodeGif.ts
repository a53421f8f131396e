import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import { upscaleNearest } from './scaleFrames';
import type { ResultClip } from './useJobResult';

/** A looping GIF of the clip, one shared 256-colour palette so colours hold still across frames. */
export function encodeClipGif(clip: ResultClip, scale: number): { bytes: Uint8Array; width: number; height: number } {
  const frameBytes = clip.width * clip.height * 4;
  const palette = quantize(clip.rgba, 256);
  const encoder = GIFEncoder();
  const delayMs = Math.round(1000 / clip.fps);
  const width = clip.width * scale;
  const height = clip.height * scale;
  for (let index = 0; index < clip.frames; index++) {
    const frame = upscaleNearest(clip.rgba.subarray(index * frameBytes, (index + 1) * frameBytes), clip.width, clip.height, scale);
    encoder.writeFrame(applyPalette(frame, palette), width, height, { palette, delay: delayMs, repeat: 0 });
  }
  encoder.finish();
  return { bytes: encoder.bytes(), width, height };
}
