import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/shared/domain/generation';
import { activationReserveBytes, estimateActivationBytes } from '../../../src/shared/model/clipMemory';
import { resolveClip } from '../../../src/shared/model/clipSize';
import { loadedUnitBytes } from '../../../src/shared/model/memoryPlan';
import { resolvePipelineBudget } from '../../../src/shared/model/pipelineBudget';
import { mapUnitPasses, unitPasses } from '../../../src/shared/model/unitPasses';
import { readClipFrames, readImageFile } from '../../../src/main/engine/conditioning/imageFiles';
import { planFill, resizeCropToFill, type RgbImage } from '../../../src/main/engine/conditioning/resizeCrop';
import { openVideoModel } from '../../../src/main/engine/models';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';
import { gifBytes } from '../../support/gifBytes';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { writeOutputs } from '../../../src/main/engine/output/writeOutputs';
import type { ResolvedSettings } from '../../../src/shared/domain/generation';
import { UnitStreamer } from '../../../src/main/engine/streaming/unitStreamer';
import { fixturePackage } from '../support/randomPackage';

/**
 * --image and --extend through the engine's own path (the request's `reference`: file read, fitted to the preset,
 * VAE-encoded by the package's encoder units, placed by the mask strategy): the conditioned latent frames of the
 * final latent are the encoder's latent of the fitted pixels, bit for bit.
 */
const modelPath = fixturePackage('opensora-tiny');
const clipChoice = { resolution: '144p', aspect: '16:9', frames: 51 } as const;
/** What an MP4's record says for the reading tests (the frames are drawn, not generated). */
const mp4Settings: ResolvedSettings = {
  prompt: 'colours', seed: 1, steps: 1, cfgScale: 7, lpl: { kind: 'off' }, tdtmMergedSteps: 0, memoryBudget: { kind: 'all' },
  modelId: 'opensora-tiny', modelVersion: '1', modelPath: '/models/opensora-tiny', frames: 20, height: 24, width: 32, fps: 24,
};
let work: string;

/** A smooth test picture (gradients and a disc) of any size, as RGB. */
function picture(width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 3) ** 2;
      rgb.set([Math.round((255 * x) / width), Math.round((255 * y) / height), disc ? 230 : 40], (y * width + x) * 3);
    }
  }
  return { width, height, rgb };
}

function writePng(file: string, image: RgbImage): void {
  const png = new PNG({ width: image.width, height: image.height });
  for (let p = 0; p < image.width * image.height; p++) {
    png.data.set([image.rgb[p * 3], image.rgb[p * 3 + 1], image.rgb[p * 3 + 2], 255], p * 4);
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

/** Latent frames [from, from + count) of a [4, frames, H, W] latent. */
function latentFrames(latent: Float32Array, frames: number, from: number, count: number): Float32Array {
  const plane = latent.length / (4 * frames);
  const out = new Float32Array(4 * count * plane);
  for (let c = 0; c < 4; c++) {
    out.set(latent.subarray((c * frames + from) * plane, (c * frames + from + count) * plane), c * count * plane);
  }
  return out;
}

async function encodeDirectly(images: RgbImage[]): Promise<Float32Array> {
  const pkg = readModelPackage(modelPath);
  const clip = resolveClip(pkg.manifest, clipChoice);
  const model = await openVideoModel(pkg, clip);
  const streamer = new UnitStreamer({ budget: { kind: 'all' } });
  try {
    const frames = new Uint8Array(images.length * clip.conditioningWidth * clip.conditioningHeight * 3);
    images.forEach((image, index) => frames.set(resizeCropToFill(image, clip.conditioningWidth, clip.conditioningHeight).rgb, index * image.rgb.length));
    return (await model.encodeFrames!(streamer, frames, images.length)).latent;
  } finally {
    await streamer.dispose();
  }
}

describe('reference files (--image, --extend) through the engine', () => {
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-files-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('fits an image as Open-Sora\'s resize_crop_to_fill: scaled to cover, centred crop, Python rounding', () => {
    expect(planFill(320, 180, 256, 144)).toMatchObject({ scaledWidth: 256, scaledHeight: 144, top: 0, left: 0, cutAxis: null });
    expect(planFill(400, 400, 256, 144)).toMatchObject({ scaledWidth: 256, scaledHeight: 256, top: 56, left: 0, cutAxis: 'height' });
    expect(planFill(100, 30, 256, 144)).toMatchObject({ scaledWidth: 480, scaledHeight: 144, top: 0, left: 112, cutAxis: 'width' });
    const flat = { width: 40, height: 30, rgb: new Uint8Array(40 * 30 * 3).fill(77) };
    expect(resizeCropToFill(flat, 64, 36).rgb.every((v) => v === 77)).toBe(true); // weights sum to one, both ways
  });

  it('reads a GIF\'s frames in order (the last ones when asked) and a PNG-frames folder in name order', () => {
    const colours = Array.from({ length: 20 }, (_, k) => [k * 12, 255 - k * 12, (k * 40) % 256]);
    const frames = colours.map((colour) => Uint8Array.from({ length: 32 * 24 * 4 }, (_, i) => (i % 4 === 3 ? 255 : colour[i % 4])));
    const gif = path.join(work, 'clip.gif');
    fs.writeFileSync(gif, gifBytes(frames, 32, 24, 24));
    const read = readClipFrames(gif, 17);
    expect(read.total).toBe(20);
    expect(read.frames.map((frame) => Array.from(frame.rgb.subarray(0, 3)))).toEqual(colours.slice(3));
    const folder = path.join(work, 'numbered');
    fs.mkdirSync(folder);
    for (const k of [10, 9, 2]) {
      writePng(path.join(folder, `frame-${k}.png`), { width: 16, height: 16, rgb: new Uint8Array(16 * 16 * 3).fill(k) });
    }
    expect(readClipFrames(folder).frames.map((frame) => frame.rgb[0])).toEqual([2, 9, 10]);
  });

  it('reads an MP4 the studio wrote from the PNG frames beside it, and any other MP4 through ffmpeg or with an error naming what is missing', async () => {
    const colours = Array.from({ length: 20 }, (_, k) => [k * 12, 255 - k * 12, (k * 40) % 256]);
    const clip = { width: 32, height: 24, fps: 24, frames: colours.map((colour) => Uint8ClampedArray.from({ length: 32 * 24 * 4 }, (_, i) => (i % 4 === 3 ? 255 : colour[i % 4]))) };
    const made = path.join(work, 'made');
    await writeOutputs(clip, { settings: mp4Settings, run: { stepsRun: 1, leapStep: null, mergedSteps: 0 } }, { basePath: made, formats: ['mp4', 'png'], upscale: 1 });
    const fromStudio = readClipFrames(`${made}.mp4`, 17);
    expect(fromStudio.total).toBe(20);
    expect(fromStudio.frames.map((frame) => Array.from(frame.rgb.subarray(0, 3)))).toEqual(colours.slice(3)); // exact: the PNGs
    const alone = path.join(work, 'alone.mp4');
    fs.copyFileSync(`${made}.mp4`, alone);
    const ffmpegHere = spawnSync('ffmpeg', ['-version']).status === 0;
    if (ffmpegHere) {
      const decoded = readClipFrames(alone, 17);
      expect(decoded.total).toBe(20);
      decoded.frames.forEach((frame, index) => {
        colours[index + 3].forEach((value, c) => expect(Math.abs(frame.rgb[(12 * 32 + 16) * 3 + c] - value)).toBeLessThanOrEqual(6)); // H.264 at QP 20
      });
    } else {
      expect(() => readClipFrames(alone, 17)).toThrow(/cannot be read here: no ffmpeg\/ffprobe on PATH/);
    }
    fs.writeFileSync(path.join(work, 'notes.txt'), 'not a clip');
    expect(() => readClipFrames(path.join(work, 'notes.txt'))).toThrow('is not a GIF, an MP4 or a folder of PNG frames');
  });

  it('--image: the first latent frame of the clip is the encoder\'s latent of the fitted image, and an extension starts with the clip\'s last chunk', async () => {
    const image = picture(320, 180);
    const file = path.join(work, 'start.png');
    writePng(file, image);
    expect(readImageFile(file)).toEqual(image);
    const out = path.join(work, 'image-run');
    const first = await generateVideo(
      { prompt: 'a cat walking in the snow', seed: 1, steps: 2, clip: clipChoice, modelPath, reference: { kind: 'image', path: file } },
      { previews: false, output: { basePath: out, formats: ['png'] } },
    );
    expect(first.summary.conditioning).toEqual({ kind: 'image', source: file, strength: 1, editRatio: 0, latentFrames: 1, pixelFrames: 1 });
    expect(first.clip.frames).toHaveLength(51);
    expect(latentFrames(first.latent, 15, 0, 1)).toEqual(await encodeDirectly([image]));

    const source = readClipFrames(`${out}-frames`);
    expect(source.total).toBe(51);
    expect(readClipFrames(`${out}-frames`, 17).frames).toEqual(source.frames.slice(34));
    const extended = await generateVideo(
      { prompt: 'a cat walking in the snow', seed: 2, steps: 2, clip: clipChoice, modelPath, reference: { kind: 'extend', path: `${out}-frames` } },
      { previews: false },
    );
    expect(extended.summary.conditioning).toEqual({ kind: 'extend', source: `${out}-frames`, strength: 1, editRatio: 0, latentFrames: 5, pixelFrames: 17 });
    expect(latentFrames(extended.latent, 15, 0, 5)).toEqual(await encodeDirectly(source.frames.slice(34)));
  });

  it('counts the VAE encoder in the budget: the encoder pass streams under "min", planned from the unit sizes', async () => {
    const file = path.join(work, 'budget.png');
    writePng(file, picture(256, 144));
    const { manifest } = readModelPackage(modelPath);
    const clip = resolveClip(manifest, { ...clipChoice, frames: 1 });
    const units = mapUnitPasses(unitPasses(manifest), (unit) => ({ id: unit.id, sizeBytes: loadedUnitBytes(unit.sizeBytes) }));
    expect(units.encoder.map((unit) => unit.id)).toEqual(['vae.spatial_encoder', 'vae.temporal_encoder']);
    const used = { usesMergedSteps: false, conditioned: true };
    const reserveBytes = activationReserveBytes(estimateActivationBytes(manifest, clip), used);
    const planned = resolvePipelineBudget(units, { kind: 'min' }, used, { reserveBytes });
    const encoderPlan = planned.plans.find((entry) => entry.pass === 'encoder')?.plan;
    // Two units streamed one after the other: the minimum working set holds both (one loading while one runs).
    expect(encoderPlan?.minWorkingSetBytes).toBe(reserveBytes + units.encoder[0].sizeBytes + units.encoder[1].sizeBytes);
    expect(planned.plans.map((entry) => entry.pass)).toEqual(['text', 'encoder', 'denoiser', 'decoder']);

    const events: GenerationEvent[] = [];
    const run = await generateVideo(
      { prompt: 'a cat', seed: 1, steps: 1, clip: { ...clipChoice, frames: 1 }, modelPath, memoryBudget: { kind: 'min' }, reference: { kind: 'image', path: file } },
      { previews: false, onEvent: (event) => events.push(event) },
    );
    const started = events.find((event) => event.kind === 'started');
    expect(started).toMatchObject({ minimumBudgetBytes: planned.minimumBytes, budgetBytes: planned.minimumBytes });
    expect(run.summary.timingsMs.encode).toBeGreaterThan(0);
    expect(run.summary.peakResidentBytes).toBeLessThanOrEqual(run.summary.memoryBudgetBytes);
    // The encoder's units were loaded under that budget (the larger of them is within the peak).
    expect(run.summary.peakResidentBytes).toBeGreaterThanOrEqual(Math.max(...units.encoder.map((unit) => unit.sizeBytes)));
  });

  it('refuses an unreadable or tiny image, a crop that would cut most of it, and a clip shorter than one VAE chunk, before any step', async () => {
    const run = (reference: { kind: 'image' | 'extend'; path: string }) =>
      generateVideo({ prompt: 'a cat', steps: 2, clip: clipChoice, modelPath, reference }, { previews: false });
    const text = path.join(work, 'notes.png');
    fs.writeFileSync(text, 'not an image');
    await expect(run({ kind: 'image', path: text })).rejects.toThrow(/is not a PNG or JPEG image/);
    await expect(run({ kind: 'image', path: path.join(work, 'missing.png') })).rejects.toThrow(/Cannot read the image .*ENOENT/);
    const tiny = path.join(work, 'tiny.png');
    writePng(tiny, picture(12, 9));
    await expect(run({ kind: 'image', path: tiny })).rejects.toThrow(/12 × 9 pixels: too small for the 256 × 144 preset/);
    const strip = path.join(work, 'strip.png');
    writePng(strip, picture(100, 400));
    await expect(run({ kind: 'image', path: strip })).rejects.toThrow(/far from the preset's 256 × 144 aspect: it would be scaled to 256 × 1024 and 86 % of its height cut off/);
    const short = path.join(work, 'short-frames');
    fs.mkdirSync(short);
    for (let i = 0; i < 3; i++) {
      writePng(path.join(short, `frame-${i}.png`), picture(256, 144));
    }
    await expect(run({ kind: 'extend', path: short })).rejects.toThrow(/has 3 frames; extending needs at least one VAE chunk of 17 frames/);
    await expect(generateVideo({ prompt: 'a red ball', steps: 2, modelPath: fixturePackage('random-d2'), reference: { kind: 'image', path: tiny } })).rejects.toThrow(/trained on text alone/);
  });
});
