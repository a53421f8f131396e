import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/shared/domain/history';
import type { ModelSummary } from '../../src/shared/domain/studio';
import { resolveClip } from '../../src/shared/model/clipSize';
import { readImageFile } from '../../src/main/engine/conditioning/imageFiles';
import { resizeCropToFill } from '../../src/main/engine/conditioning/resizeCrop';
import { openVideoModel } from '../../src/main/engine/models';
import { readModelPackage } from '../../src/main/engine/package/modelPackage';
import { generateVideo } from '../../src/main/engine/pipeline/generateVideo';
import { UnitStreamer } from '../../src/main/engine/streaming/unitStreamer';
import { exportProject } from '../../src/main/store/archive/exportProject';
import { importProject } from '../../src/main/store/archive/importProject';
import { dataFolder, listRunMedia } from '../../src/main/store/dataFolder';
import { openStudioDatabase } from '../../src/main/store/database';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { startStudio, type RunningStudio } from '../e2e/support/studioServer';
import { isJobEvent, StudioClient } from './support/studioClient';

/**
 * Image-to-video and extension through the studio (built out/main/server.js, real engine process, real database): the
 * image crosses the transport inline, is kept in the run's folder as its source, and the engine conditions the clip on
 * it; the history keeps the source and the lineage, and so does a project archive.
 */
const FIXTURE = path.resolve('test/fixtures/packages/opensora-tiny');
const clip = { resolution: '144p', aspect: '16:9', frames: 1 } as const;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-reference-runs-'));
const dataDir = path.join(scratch, 'data');

let studio: RunningStudio | undefined;
let client: StudioClient;
let imageBytes: Buffer;

function pictureBytes(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 3) ** 2;
      png.data.set([Math.round((255 * x) / width), Math.round((255 * y) / height), disc ? 230 : 40, 255], (y * width + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

async function generate(params: Record<string, unknown>): Promise<{ jobId: string; event: { kind: string; error?: { message: string } } }> {
  const started = await client.call('generation.start', { prompt: 'a red ball rolling', seed: 3, steps: 1, modelId: 'opensora-tiny', clip, ...params });
  expect(started.error).toBeUndefined();
  const { jobId } = started.value as { jobId: string };
  const end = await client.waitForEvent((event) => isJobEvent(jobId, 'done')(event) || isJobEvent(jobId, 'failed')(event));
  return { jobId, event: (end.payload as { event: { kind: string; error?: { message: string } } }).event };
}

async function historyEntry(id: string): Promise<HistoryEntry> {
  const reply = await client.call('history.list', {});
  const entry = (reply.value as { entries: HistoryEntry[] }).entries.find((row) => row.id === id);
  expect(entry).toBeDefined();
  return entry as HistoryEntry;
}

/** The encoder's latent of the image as the engine fits it to the preset (144p 16:9), computed here in-process. */
async function encodedImage(file: string): Promise<Float32Array> {
  const pkg = readModelPackage(FIXTURE);
  const size = resolveClip(pkg.manifest, clip);
  const model = await openVideoModel(pkg, size);
  const streamer = new UnitStreamer({ budget: { kind: 'all' } });
  try {
    const fitted = resizeCropToFill(readImageFile(file), size.conditioningWidth, size.conditioningHeight);
    return (await model.encodeFrames!(streamer, fitted.rgb, 1)).latent;
  } finally {
    await streamer.dispose();
  }
}

beforeAll(async () => {
  imageBytes = pictureBytes(320, 180);
  studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
  client = await StudioClient.connect(studio);
  const added = await client.call('models.add', { path: FIXTURE });
  expect(added.error).toBeUndefined();
}, 120_000);

afterAll(async () => {
  client?.close();
  await studio?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('reference frames in the studio (browser-mode transport)', () => {
  let imageRun: string;

  it('says which models take reference frames, and refuses one that cannot before queueing', async () => {
    const models = (await client.call('models.list', {})).value as ModelSummary[];
    expect(models.find((model) => model.id === 'opensora-tiny')?.referenceFrames).toEqual({ supported: true });
    const builtin = models.find((model) => model.builtin) as ModelSummary;
    expect(builtin.referenceFrames).toMatchObject({ supported: false, reason: expect.stringContaining('trained on text alone') });
    const refused = await client.call('generation.start', { prompt: 'a cat', steps: 1, reference: { kind: 'image', fileName: 'cat.png', dataBase64: imageBytes.toString('base64') } });
    expect(refused.error).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('trained on text alone') });
    const notImage = await client.call('generation.start', { prompt: 'a cat', steps: 1, modelId: 'opensora-tiny', clip, reference: { kind: 'image', fileName: 'notes.png', dataBase64: Buffer.from('hello').toString('base64') } });
    expect(notImage.error).toMatchObject({ code: 'INVALID_PARAMS', message: 'The image notes.png is not a PNG or JPEG file (its first bytes say otherwise).' });
    const tooLarge = await client.call('generation.start', { prompt: 'a cat', steps: 1, modelId: 'opensora-tiny', reference: { kind: 'image', fileName: 'big.png', dataBase64: 'A'.repeat(900_000) } });
    expect(tooLarge.error).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('the image is larger than 640 KiB') });
    const noRun = await client.call('generation.start', { prompt: 'a cat', steps: 1, modelId: 'opensora-tiny', clip, reference: { kind: 'extend', runId: 'no-such-run' } });
    expect(noRun.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('Run no-such-run cannot be extended') });
  });

  it('an uploaded image: kept in the run\'s folder, the history names it, the clip is conditioned on its encoder latent', async () => {
    const { jobId, event } = await generate({ reference: { kind: 'image', fileName: 'ball.png', dataBase64: imageBytes.toString('base64') } });
    expect(event.kind, event.error?.message).toBe('done');
    imageRun = jobId;
    const runDir = path.join(dataDir, 'outputs', jobId);
    const media = listRunMedia(runDir);
    expect(media.reference).toBe(path.join(runDir, 'reference.png'));
    expect(fs.readFileSync(media.reference as string).equals(imageBytes)).toBe(true);
    const entry = await historyEntry(jobId);
    expect(entry.request.reference).toEqual({ kind: 'image', fileName: 'ball.png' });
    expect(entry.derivedFrom).toBeNull();
    expect(media.frames).toHaveLength(1);

    // The same request through the engine in-process (the file the run kept, the run's seed): the clip's one latent
    // frame is the encoder's latent of the fitted image, and the studio's frame is that clip's frame.
    const local = await generateVideo(
      { prompt: 'a red ball rolling', seed: 3, steps: 1, clip, modelPath: FIXTURE, reference: { kind: 'image', path: media.reference as string } },
      { previews: false },
    );
    expect(local.latent).toEqual(await encodedImage(media.reference as string));
    const written = PNG.sync.read(fs.readFileSync(media.frames[0]));
    const scale = written.width / local.clip.width;
    const ours = local.clip.frames[0];
    for (const [x, y] of [[0, 0], [100, 50], [255, 143], [128, 72]]) {
      const at = (y * scale * written.width + x * scale) * 4;
      expect(Array.from(written.data.subarray(at, at + 3))).toEqual(Array.from(ours.subarray((y * local.clip.width + x) * 4, (y * local.clip.width + x) * 4 + 3)));
    }
  }, 240_000);

  it('extending a run: lineage to the run in the history; a clip shorter than one VAE chunk is refused before the first step', async () => {
    const { jobId, event } = await generate({ clip: { ...clip, frames: 51 }, reference: { kind: 'extend', runId: imageRun } });
    expect(event.kind).toBe('failed');
    expect(client.jobEvents(jobId).some((seen) => seen.kind === 'step')).toBe(false);
    expect(event.error?.message).toContain('has 1 frame; extending needs at least one VAE chunk of 17 frames');
    const entry = await historyEntry(jobId);
    expect(entry.request.reference).toEqual({ kind: 'extend', runId: imageRun });
    expect(entry.derivedFrom).toBe(imageRun);
  }, 120_000);

  it('a project archive keeps the source image and the lineage', async () => {
    client.close();
    await studio?.stop();
    studio = undefined;
    const folder = dataFolder(dataDir);
    const db = openStudioDatabase(folder.databasePath);
    try {
      const history = new HistoryRepository(db);
      const source = history.get(imageRun) as HistoryEntry;
      const archiveFile = path.join(scratch, 'project.zip');
      const { archive } = await exportProject(source.projectId, archiveFile, { folder, db });
      const [imageKey, extendKey] = ['r1', 'r2'];
      expect(archive.runs.map((run) => run.request.reference)).toEqual([{ kind: 'image', fileName: 'ball.png' }, { kind: 'extend', runId: imageKey }]);
      expect(archive.runs.find((run) => run.key === extendKey)?.derivedFrom).toBe(imageKey);
      expect(archive.runs[0].media.reference).toBe('runs/r1/reference.png');

      const outcome = await importProject(archiveFile, { folder, db });
      const imported = history.rowsOfProject(outcome.project.id).map((row) => history.get(row.id) as HistoryEntry);
      const [image, extended] = imported.sort((a, b) => a.createdAtMs - b.createdAtMs);
      expect(image.id).not.toBe(imageRun);
      expect(image.request.reference).toEqual({ kind: 'image', fileName: 'ball.png' });
      expect(fs.readFileSync(listRunMedia(path.join(dataDir, 'outputs', image.id)).reference as string).equals(imageBytes)).toBe(true);
      expect(extended.request.reference).toEqual({ kind: 'extend', runId: image.id });
      expect(extended.derivedFrom).toBe(image.id);
    } finally {
      db.close();
    }
  }, 120_000);
});
