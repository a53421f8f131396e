import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbaClip } from '../../../src/main/engine/output/frames';
import { padToEvenSize, writeMp4 } from '../../../src/main/engine/output/mp4Writer';
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

  it('pads odd sizes by one pixel, repeating the edge', async () => {
    const clip = movingSquare(33, 17, 4, 8);
    const padded = padToEvenSize(clip);
    expect([padded.width, padded.height]).toEqual([34, 18]);
    const pixel = (frame: Uint8ClampedArray, width: number, x: number, y: number): number[] => [...frame.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    expect(pixel(padded.frames[1], 34, 33, 5)).toEqual(pixel(clip.frames[1], 33, 32, 5));
    expect(pixel(padded.frames[1], 34, 10, 17)).toEqual(pixel(clip.frames[1], 33, 10, 16));
    expect(pixel(padded.frames[1], 34, 33, 17)).toEqual(pixel(clip.frames[1], 33, 32, 16));
    const even = movingSquare(32, 16, 1, 8);
    expect(padToEvenSize(even)).toBe(even);

    const file = path.join(scratch, 'odd.mp4');
    await writeMp4(clip, file);
    const facts = await readMp4Facts(fs.readFileSync(file));
    expect(facts).toMatchObject({ codec: 'avc', width: 34, height: 18, packetCount: 4, comment: undefined });
  });

  it('refuses an empty clip with an error that says so', async () => {
    await expect(writeMp4({ width: 32, height: 32, fps: 8, frames: [] }, path.join(scratch, 'empty.mp4'))).rejects.toThrow('An MP4 needs at least one frame.');
    expect(fs.existsSync(path.join(scratch, 'empty.mp4'))).toBe(false);
  });
});
