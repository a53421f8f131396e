import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReproducibilityRecord, PNG_RECORD_KEYWORD, type ReproducibilityRecord } from '../../src/shared/domain/reproducibilityRecord';
import type { RunExportResult } from '../../src/shared/domain/runExport';
import { StudioError } from '../../src/shared/ipc/errors';
import { protocolMediaUrls } from '../../src/main/backend/mediaRoute';
import { exportRun, type RunExportOptions } from '../../src/main/backend/runExport';
import { startStudio, type RunningStudio } from '../e2e/support/studioServer';
import { mountTinyFilesystem } from '../engine/faults/tinyFilesystem';
import { readMp4Facts } from '../support/mp4Facts';
import { readPngText } from '../support/pngText';
import { isJobEvent, StudioClient } from './support/studioClient';

/**
 * Export is a backend operation over a run's files on disk. A real run (built-in model, real engine process, real
 * database) made through the browser-mode server; its exports downloaded over HTTP from the authenticated media route,
 * and saved through a desktop save dialog (exportRun with saveAs). The MP4 encoder is the engine's own (WebAssembly):
 * nothing outside Node is needed, and the MP4s are read back by a demuxer.
 */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-run-export-'));
const dataDir = path.join(scratch, 'data');

let studio: RunningStudio;
let client: StudioClient;
let runId: string;
let runDir: string;
let record: ReproducibilityRecord;

beforeAll(async () => {
  studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
  client = await StudioClient.connect(studio);
  const started = await client.call('generation.start', { prompt: 'a yellow square moving up on a black background', seed: 7, steps: 3 });
  expect(started.ok).toBe(true);
  runId = (started.value as { jobId: string }).jobId;
  await client.waitForEvent(isJobEvent(runId, 'done'));
  runDir = path.join(dataDir, 'outputs', runId);
  record = parseReproducibilityRecord(fs.readFileSync(path.join(runDir, 'clip.json'), 'utf8'), 'clip.json');
}, 120_000);

afterAll(async () => {
  client?.close();
  await studio?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function exportOverWire(params: Record<string, unknown>): Promise<RunExportResult & { kind: 'download' }> {
  const reply = await client.call('runs.export', { id: runId, ...params });
  expect(reply.error).toBeUndefined();
  const result = reply.value as RunExportResult;
  expect(result.kind).toBe('download');
  return result as RunExportResult & { kind: 'download' };
}

async function fetchBytes(url: string): Promise<Buffer> {
  const response = await fetch(`${studio.origin}${url}`);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('browser mode: runs.export → a download from the media route', () => {
  it('the record: the run’s clip.json byte for byte, parsed by the one schema', async () => {
    const result = await exportOverWire({ format: 'json' });
    expect(result.files.map((file) => file.fileName)).toEqual(['a-yellow-square-moving-up-on-a-black-background-seed7.json']);
    const bytes = await fetchBytes(result.files[0].url);
    expect(bytes.equals(fs.readFileSync(path.join(runDir, 'clip.json')))).toBe(true);
    expect(record).toMatchObject({ prompt: 'a yellow square moving up on a black background', seed: 7, request: { steps: 3, modelId: 'shapes-tiny' }, clip: { frames: 16, width: 32, height: 32 } });
    // The download needs the page's token, as every media file does.
    expect((await fetch(`${studio.origin}${result.files[0].url.replace(/\?token=.*/, '')}`)).status).toBe(401);
  });

  it('MP4 at the written scale: the engine’s file byte for byte with the record beside it', async () => {
    const result = await exportOverWire({ format: 'mp4' });
    expect(result.files.map((file) => file.fileName)).toEqual(['a-yellow-square-moving-up-on-a-black-background-seed7.mp4', 'a-yellow-square-moving-up-on-a-black-background-seed7.mp4.json']);
    expect((await fetchBytes(result.files[0].url)).equals(fs.readFileSync(path.join(runDir, 'clip.mp4')))).toBe(true);
    expect(parseReproducibilityRecord((await fetchBytes(result.files[1].url)).toString('utf8'), 'sidecar')).toEqual(record);
    expect(result.detail).toContain('copied from the run’s files');
  });

  it('MP4 at another scale: made from the frames by the same encoder, the record in its comment tag', async () => {
    const result = await exportOverWire({ format: 'mp4', scale: 2 });
    const facts = await readMp4Facts(await fetchBytes(result.files[0].url));
    expect(facts).toMatchObject({ codec: 'avc', width: 64, height: 64, packetCount: 16 });
    expect(parseReproducibilityRecord(facts.comment ?? '', 'comment tag')).toEqual(record);
  });

  it('GIF: copied at the written scale, made from the frames at another', async () => {
    const asWritten = await exportOverWire({ format: 'gif' });
    expect((await fetchBytes(asWritten.files[0].url)).equals(fs.readFileSync(path.join(runDir, 'clip.gif')))).toBe(true);
    const scaled = await fetchBytes((await exportOverWire({ format: 'gif', scale: 2 })).files[0].url);
    expect(scaled.toString('latin1', 0, 6)).toBe('GIF89a');
    expect([scaled.readUInt16LE(6), scaled.readUInt16LE(8)]).toEqual([64, 64]);
  });

  it('PNG: the frame asked for, with the record inside, at the written scale or another', async () => {
    const asWritten = await exportOverWire({ format: 'png', frameIndex: 3 });
    expect(asWritten.files[0].fileName).toBe('a-yellow-square-moving-up-on-a-black-background-seed7-frame04.png');
    const bytes = await fetchBytes(asWritten.files[0].url);
    expect(bytes.equals(fs.readFileSync(path.join(runDir, 'clip-frames', 'frame-003.png')))).toBe(true);
    expect(readPngText(bytes, PNG_RECORD_KEYWORD).map((text) => parseReproducibilityRecord(text, 'iTXt'))).toEqual([record]);
    const native = await fetchBytes((await exportOverWire({ format: 'png', frameIndex: 3, scale: 1 })).files[0].url);
    const small = PNG.sync.read(native);
    const large = PNG.sync.read(bytes);
    expect([small.width, small.height]).toEqual([32, 32]);
    // The native frame is the written one undone: every 8th pixel of every 8th row.
    expect(small.data.readUInt32BE((5 * 32 + 9) * 4)).toBe(large.data.readUInt32BE((5 * 8 * 256 + 9 * 8) * 4));
    expect(readPngText(native, PNG_RECORD_KEYWORD)).toHaveLength(1);
  });

  it('bad requests: refused where they enter, or naming what is missing', async () => {
    expect((await client.call('runs.export', { id: runId, format: 'webm' })).error).toMatchObject({ code: 'INVALID_PARAMS' });
    expect((await client.call('runs.export', { id: runId, format: 'gif', scale: 3.5 })).error).toMatchObject({ code: 'INVALID_PARAMS' });
    expect((await client.call('runs.export', { id: 'no-such-run', format: 'json' })).error).toMatchObject({ code: 'NOT_FOUND', message: 'No run with id no-such-run.' });
    expect((await client.call('runs.export', { id: runId, format: 'png', frameIndex: 16 })).error).toMatchObject({ code: 'INVALID_PARAMS', message: `Run ${runId} has 16 frames; there is no frame 17.` });
  });
});

describe('desktop: the save dialog chooses where the files go', () => {
  const saveTo = (target: string | null): RunExportOptions => ({ workDir: path.join(dataDir, 'tmp', 'exports'), media: protocolMediaUrls(dataDir), saveAs: async () => target });

  it('copies the GIF and its record to the chosen file; a closed dialog writes nothing', async () => {
    const target = path.join(scratch, 'chosen', 'my clip.gif');
    fs.mkdirSync(path.dirname(target));
    const result = await exportRun(runDir, 'the run', { id: runId, format: 'gif' }, saveTo(target));
    expect(result).toMatchObject({ kind: 'saved', files: [{ path: target, fileName: 'my clip.gif' }, { path: `${target}.json` }] });
    expect(fs.readFileSync(target).equals(fs.readFileSync(path.join(runDir, 'clip.gif')))).toBe(true);
    expect(parseReproducibilityRecord(fs.readFileSync(`${target}.json`, 'utf8'), 'sidecar')).toEqual(record);
    expect(await exportRun(runDir, 'the run', { id: runId, format: 'json' }, saveTo(null))).toEqual({ kind: 'cancelled' });
  });

  it('a full disk: DISK_FULL naming the file, nothing half written left', async () => {
    const tiny = await mountTinyFilesystem(64 * 1024);
    try {
      const target = path.join(tiny.dir, 'big.gif');
      const error = await exportRun(runDir, 'the run', { id: runId, format: 'gif', scale: 16 }, saveTo(target)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StudioError);
      expect(error).toMatchObject({ code: 'DISK_FULL', message: `Cannot write the outputs to ${target}: the disk is full.` });
      expect(fs.readdirSync(tiny.dir)).toEqual([]);
    } finally {
      await tiny.unmount();
    }
  });

  it('a run whose files are gone: NOT_FOUND naming the folder, or the missing record', async () => {
    const copy = path.join(scratch, 'copy-of-run');
    fs.cpSync(runDir, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'clip.json'));
    await expect(exportRun(copy, 'the run', { id: runId, format: 'gif' }, saveTo(path.join(scratch, 'x.gif')))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `the run has no reproducibility record: ${path.join(copy, 'clip.json')} is missing.`,
    });
    fs.rmSync(copy, { recursive: true });
    await expect(exportRun(copy, 'the run', { id: runId, format: 'gif' }, saveTo(path.join(scratch, 'x.gif')))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `The files of the run are gone: its folder ${copy} does not exist.`,
    });
  });
});
