import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbaClip } from '../../../src/main/engine/output/frames';
import { writeMp4 } from '../../../src/main/engine/output/mp4Writer';
import { rgbaToI420 } from '../../../src/main/engine/output/yuv420';
import { decodeWithFfmpeg, readMp4Facts } from '../../support/mp4Facts';

/**
 * The studio's one MP4 encoder: H.264 encoded in-process (WebAssembly), no external binary. The file is read back
 * by a demuxer (mediabunny) everywhere, and decoded by ffmpeg as a second reader where one is on PATH.
 */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-mp4-writer-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A white 8×8 square moving right over a dark gradient: frame f has the square at x = 2f. */
function movingSquare(width: number, height: number, frameCount: number, fps: number): RgbaClip {
  const frames = Array.from({ length: frameCount }, (_, f) => {
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inSquare = x >= 2 * f && x < 2 * f + 8 && y >= 4 && y < 12;
        rgba.set(inSquare ? [255, 255, 255, 255] : [Math.round((x / width) * 64), 32, Math.round((y / height) * 64), 255], (y * width + x) * 4);
      }
    }
    return rgba;
  });
  return { width, height, fps, frames };
}

describe('writeMp4', () => {
  it('writes H.264 with a packet per frame, the index first, the comment tag, and the frames as given', async () => {
    const clip = movingSquare(64, 32, 30, 24);
    const file = path.join(scratch, 'clip.mp4');
    const comment = JSON.stringify({ prompt: 'a white square — moving right', seed: 7 });
    await writeMp4(clip, file, { comment });
    const bytes = fs.readFileSync(file);
    const facts = await readMp4Facts(bytes);
    expect(facts).toMatchObject({ codec: 'avc', width: 64, height: 32, packetCount: 30, comment });
    expect(facts.topLevel.slice(0, 3)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(facts.durationS).toBeCloseTo(30 / 24, 2);
    // A keyframe a second (24 frames) for seeking: frames 0 and 24.
    expect(facts.keyPacketCount).toBe(2);

    const decoded = decodeWithFfmpeg(bytes, 64, 32);
    if (decoded) {
      expect(decoded).toHaveLength(30);
      for (const [index, frame] of decoded.entries()) {
        // The square's centre is white and the background left of it dark, in every frame.
        const at = (x: number, y: number): number => frame[(y * 64 + x) * 4];
        expect(at(2 * index + 4, 8)).toBeGreaterThan(200);
        expect(at(Math.max(0, 2 * index - 4), 20)).toBeLessThan(90);
      }
    }
  });

  it('converts to I420 as BT.601 limited range, chroma the mean of 2×2 pixels, odd sizes padded with the edge', () => {
    // Red, white / black, blue in a 3×2 frame (the third column is padded from the second).
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 255, 255, 255, 255, 0, 0, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 255]);
    const i420 = rgbaToI420(rgba, 3, 2);
    // 4×2 luma, then 2×1 Cb, then 2×1 Cr.
    expect([...i420]).toEqual([
      81, 235, 41, 41,
      16, 16, 41, 41,
      // Cb of (red, white, black, black): 128 + (−37.797·255 − 74.203·255 + 112·255 + 0 …)/1020 → 119; of four blues: 240.
      119, 240,
      // Cr of the same: 128 + (112·255 + 0·255 + …)/1020 → 156; of four blues: 128 − 18.214 → 110.
      156, 110,
    ]);
  });

  it('pads odd sizes: a 33×17 clip is a 34×18 H.264 stream', async () => {
    const file = path.join(scratch, 'odd.mp4');
    await writeMp4(movingSquare(33, 17, 4, 8), file);
    const facts = await readMp4Facts(fs.readFileSync(file));
    expect(facts).toMatchObject({ codec: 'avc', width: 34, height: 18, packetCount: 4, comment: undefined });
  });

  it('keeps flat colours: the decoded I420 planes within one level of the converted ones (where an ffmpeg is on PATH to decode them)', async () => {
    const colours = [[200, 60, 30], [16, 16, 16], [0, 0, 0], [255, 255, 255], [30, 180, 90], [128, 128, 128]];
    const frames = colours.map((colour) => {
      const rgba = new Uint8ClampedArray(32 * 32 * 4);
      for (let p = 0; p < 32 * 32; p++) {
        rgba.set([...colour, 255], p * 4);
      }
      return rgba;
    });
    const file = path.join(scratch, 'colours.mp4');
    await writeMp4({ width: 32, height: 32, fps: 8, frames }, file);
    const decoded = decodeWithFfmpeg(fs.readFileSync(file), 32, 32, 'yuv420p');
    if (decoded) {
      expect(decoded).toHaveLength(colours.length);
      for (const [index, frame] of decoded.entries()) {
        const converted = rgbaToI420(frames[index], 32, 32);
        // Y, Cb and Cr at the picture's centre.
        for (const at of [16 * 32 + 16, 32 * 32 + 8 * 16 + 8, 32 * 32 + 16 * 16 + 8 * 16 + 8]) {
          expect(Math.abs(frame[at] - converted[at]), `colour ${colours[index].join(',')} byte ${at}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('refuses an empty clip with an error that says so', async () => {
    await expect(writeMp4({ width: 32, height: 32, fps: 8, frames: [] }, path.join(scratch, 'empty.mp4'))).rejects.toThrow('An MP4 needs at least one frame.');
    expect(fs.existsSync(path.join(scratch, 'empty.mp4'))).toBe(false);
  });
});
