import { GifReader } from 'omggif';
import { describe, expect, it } from 'vitest';
import { encodeGif } from '../../../src/main/engine/output/gifWriter';
import type { RgbaClip } from '../../../src/main/engine/output/frames';

/** A clip of a moving square over a horizontal gradient, plus ±8 levels of noise (as a small model's output has). */
function movingSquare(frames: number, width: number, height: number): RgbaClip {
  let state = 12345;
  const noise = (): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return (state >>> 16) % 17 - 8;
  };
  return {
    width,
    height,
    fps: 24,
    frames: Array.from({ length: frames }, (_, f) => {
      const rgba = new Uint8ClampedArray(width * height * 4);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const inSquare = x >= f * 2 && x < f * 2 + 24 && y >= 40 && y < 64;
          const p = (y * width + x) * 4;
          rgba[p] = inSquare ? 230 + noise() : Math.round((x / width) * 200) + noise();
          rgba[p + 1] = inSquare ? 40 + noise() : 90 + noise();
          rgba[p + 2] = inSquare ? 30 + noise() : Math.round((y / height) * 160) + noise();
          rgba[p + 3] = 255;
        }
      }
      return rgba;
    }),
  };
}

describe('GIF writer', () => {
  it('writes every frame at the clip\'s size and rate, each pixel within a palette step of its colour', async () => {
    const clip = movingSquare(51, 256, 144);
    const reader = new GifReader(Buffer.from(await encodeGif(clip)));
    expect([reader.width, reader.height, reader.numFrames(), reader.loopCount()]).toEqual([256, 144, 51, 0]);
    const decoded = new Uint8Array(256 * 144 * 4);
    let worst = 0;
    let sumError = 0;
    for (const index of [0, 25, 50]) {
      expect(reader.frameInfo(index).delay).toBe(4); // 1/24 s in GIF's hundredths, rounded
      reader.decodeAndBlitFrameRGBA(index, decoded);
      const source = clip.frames[index];
      for (let p = 0; p < decoded.length; p += 4) {
        for (let c = 0; c < 3; c++) {
          const error = Math.abs(decoded[p + c] - source[p + c]);
          worst = Math.max(worst, error);
          sumError += error;
        }
      }
    }
    // 256 colours for a noisy gradient plus a square: the mean error stays a few levels, no channel is far off.
    expect(sumError / (3 * 3 * 256 * 144)).toBeLessThan(6);
    expect(worst).toBeLessThan(48);
  });

  it('refuses an empty clip', async () => {
    await expect(encodeGif({ width: 4, height: 4, fps: 8, frames: [] })).rejects.toThrow('at least one frame');
  });
});
