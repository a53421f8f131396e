import { upscaleNearest } from '@shared/media/pixels';

/** A decoded clip: RGBA frames, row-major, 4 bytes per pixel. */
export interface RgbaClip {
  width: number;
  height: number;
  fps: number;
  frames: Uint8ClampedArray[];
}

/**
 * Decoder output [3, F, H, W] in [-1, 1] (one batch item) → RGBA frames, mapped as Open-Sora saves:
 * clamp to [-1, 1], then (v + 1)/2 · 255 rounded.
 */
export function videoTensorToClip(video: Float32Array, dims: { frames: number; height: number; width: number }, fps: number): RgbaClip {
  const { frames, height, width } = dims;
  const plane = height * width;
  const out: Uint8ClampedArray[] = [];
  for (let f = 0; f < frames; f++) {
    const rgba = new Uint8ClampedArray(plane * 4);
    for (let c = 0; c < 3; c++) {
      const base = (c * frames + f) * plane;
      for (let p = 0; p < plane; p++) {
        const v = Math.min(1, Math.max(-1, video[base + p]));
        rgba[p * 4 + c] = Math.round(((v + 1) / 2) * 255);
      }
    }
    for (let p = 0; p < plane; p++) {
      rgba[p * 4 + 3] = 255;
    }
    out.push(rgba);
  }
  return { width, height, fps, frames: out };
}

/** Nearest-neighbour upscale, so tiny native clips are viewable; integer factors only. */
export function upscaleClip(clip: RgbaClip, factor: number): RgbaClip {
  return {
    width: clip.width * factor,
    height: clip.height * factor,
    fps: clip.fps,
    frames: clip.frames.map((frame) => upscaleNearest(frame, clip.width, clip.height, factor)),
  };
}
