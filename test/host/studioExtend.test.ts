import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/shared/domain/history';
import { parseReproducibilityRecord } from '../../src/shared/domain/reproducibilityRecord';
import { resolveClip } from '../../src/shared/model/clipSize';
import { readClipFrames } from '../../src/main/engine/conditioning/imageFiles';
import { resizeCropToFill } from '../../src/main/engine/conditioning/resizeCrop';
import { openVideoModel } from '../../src/main/engine/models';
import { readModelPackage } from '../../src/main/engine/package/modelPackage';
import { generateVideo } from '../../src/main/engine/pipeline/generateVideo';
import { UnitStreamer } from '../../src/main/engine/streaming/unitStreamer';
import { listRunMedia, RUN_MEDIA } from '../../src/main/store/dataFolder';
import { startStudio, type RunningStudio } from '../e2e/support/studioServer';
import { isJobEvent, StudioClient } from './support/studioClient';

/**
 * An extension made in the studio completes: a 51-frame run (1 step, 144p), then *Extend* of it through the studio's
 * contract (built out/main/server.js, real engine process, real database). The extended clip is the engine's clip
 * conditioned on the source run's last VAE chunk (17 frames → 5 latent frames), and the history and the record say so.
 */
const FIXTURE = path.resolve('test/fixtures/packages/opensora-tiny');
const clip = { resolution: '144p', aspect: '16:9', frames: 51 } as const;
const prompt = 'a red ball rolling';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-extend-'));
const dataDir = path.join(scratch, 'data');

let studio: RunningStudio | undefined;
let client: StudioClient;

async function generateDone(params: Record<string, unknown>): Promise<string> {
  const started = await client.call('generation.start', { prompt, steps: 1, modelId: 'opensora-tiny', clip, ...params });
  expect(started.error).toBeUndefined();
  const { jobId } = started.value as { jobId: string };
  const end = await client.waitForEvent((event) => isJobEvent(jobId, 'done')(event) || isJobEvent(jobId, 'failed')(event));
  const { event } = end.payload as { event: { kind: string; error?: { message: string } } };
  expect(event.kind, event.error?.message).toBe('done');
  return jobId;
}

/** Latent frames [0, count) of a [C, frames, H, W] latent. */
function firstLatentFrames(latent: Float32Array, channels: number, frames: number, count: number): Float32Array {
  const plane = latent.length / (channels * frames);
  const out = new Float32Array(channels * count * plane);
  for (let c = 0; c < channels; c++) {
    out.set(latent.subarray(c * frames * plane, (c * frames + count) * plane), c * count * plane);
  }
  return out;
}

beforeAll(async () => {
  studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
  client = await StudioClient.connect(studio);
  expect((await client.call('models.add', { path: FIXTURE })).error).toBeUndefined();
}, 120_000);

afterAll(async () => {
  client?.close();
  await studio?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('Extend in the studio (browser-mode transport)', () => {
  it('extends a 51-frame run: the new clip starts from the encoded last 17 frames of the source, with its lineage', async () => {
    const sourceRun = await generateDone({ seed: 3 });
    const extendedRun = await generateDone({ seed: 4, reference: { kind: 'extend', runId: sourceRun } });

    const reply = await client.call('history.list', {});
    const entry = (reply.value as { entries: HistoryEntry[] }).entries.find((row) => row.id === extendedRun) as HistoryEntry;
    expect(entry.request.reference).toEqual({ kind: 'extend', runId: sourceRun });
    expect(entry.derivedFrom).toBe(sourceRun);
    const extendedMedia = listRunMedia(path.join(dataDir, 'outputs', extendedRun));
    expect(extendedMedia.frames).toHaveLength(51);
    const record = parseReproducibilityRecord(fs.readFileSync(extendedMedia.record as string, 'utf8'), 'clip.json');
    expect(record.reference).toEqual({ kind: 'extend', source: `run ${sourceRun}`, strength: 1, editRatio: 0, latentFrames: 5, pixelFrames: 17 });

    // The engine's own path in-process on the source run's frames: its first 5 latent frames are the encoder's latent
    // of the source's last 17 frames, and its frames are the ones the studio wrote.
    const sourceFrames = path.join(dataDir, 'outputs', sourceRun, RUN_MEDIA.framesDir);
    const local = await generateVideo({ prompt, seed: 4, steps: 1, clip, modelPath: FIXTURE, reference: { kind: 'extend', path: sourceFrames } }, { previews: false });
    const pkg = readModelPackage(FIXTURE);
    const size = resolveClip(pkg.manifest, clip);
    const model = await openVideoModel(pkg, size);
    const streamer = new UnitStreamer({ budget: { kind: 'all' } });
    let encoded: Float32Array;
    try {
      const last = readClipFrames(sourceFrames, 17).frames.map((frame) => resizeCropToFill(frame, size.conditioningWidth, size.conditioningHeight).rgb);
      const pixels = new Uint8Array(last.length * last[0].length);
      last.forEach((frame, index) => pixels.set(frame, index * frame.length));
      encoded = (await model.encodeFrames!(streamer, pixels, last.length)).latent;
    } finally {
      await streamer.dispose();
    }
    const { channels, frames: latentFrames } = size.latent;
    expect(firstLatentFrames(local.latent, channels, latentFrames, 5)).toEqual(encoded);
    for (const index of [0, 25, 50]) {
      const written = PNG.sync.read(fs.readFileSync(extendedMedia.frames[index]));
      expect(written.width / local.clip.width).toBe(1);
      const ours = local.clip.frames[index];
      for (const at of [0, (72 * 256 + 128) * 4, ours.length - 4]) {
        expect(Array.from(written.data.subarray(at, at + 3))).toEqual(Array.from(ours.subarray(at, at + 3)));
      }
    }
  }, 480_000);
});
