import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStudio, type RunningStudio } from '../e2e/support/studioServer';
import { isJobEvent, StudioClient } from './support/studioClient';

/**
 * "Add model…" through the running studio (built out/main/server.js): params checked where they enter, the package
 * checked in the engine process, the data folder as the registry across a restart, typed errors over the wire.
 */
const FIXTURE = path.resolve('test/fixtures/packages/opensora-tiny');

const running: Array<{ studio: RunningStudio; client: StudioClient }> = [];

async function open(dataDir: string): Promise<StudioClient> {
  const studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
  const client = await StudioClient.connect(studio);
  running.push({ studio, client });
  return client;
}

async function stopAll(): Promise<void> {
  for (const { studio, client } of running.splice(0)) {
    client.close();
    await studio.stop();
  }
}

afterEach(stopAll);

/** A models.import event of one import whose kind passes `kind`. */
function importEvent(importId: string, kind: (kind: string) => boolean): (event: { channel: string; payload: unknown }) => boolean {
  return (event) => {
    const payload = event.payload as { importId?: string; kind?: string };
    return event.channel === 'models.import' && payload.importId === importId && kind(payload.kind ?? '');
  };
}

function ids(reply: { value?: unknown }): string[] {
  return (reply.value as Array<{ id: string }>).map((model) => model.id);
}

describe('models.* over the WebSocket transport', () => {
  it('adds, survives a restart, lists a broken entry, removes; refusals are typed and leave the data folder as it was', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-models-')), 'data');
    const modelsDir = path.join(dataDir, 'models');
    let client = await open(dataDir);

    expect(await client.call('models.add', { path: 'test/fixtures/packages/opensora-tiny' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: 'Invalid params for models.add: path: must be an absolute folder path' },
    });
    expect((await client.call('models.pickFolder')).error).toMatchObject({ code: 'UNKNOWN_METHOD', message: expect.stringContaining('type the folder') });
    const brokenGraph = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-broken-graph-'));
    fs.cpSync(FIXTURE, brokenGraph, { recursive: true });
    fs.writeFileSync(path.join(brokenGraph, 'text.embed.onnx'), 'not an onnx graph');
    const refused = await client.call('models.add', { path: brokenGraph });
    expect(refused.error?.code).toBe('MODEL_INVALID');
    expect(refused.error?.message).toContain('does not match its manifest: text.embed.onnx: cannot load');
    expect(refused.error?.message).not.toContain('not an onnx graph');
    expect(fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir) : []).toEqual([]);

    const added = await client.call('models.add', { path: FIXTURE });
    expect(added).toMatchObject({ ok: true, value: { id: 'opensora-tiny', builtin: false, path: path.join(modelsDir, 'opensora-tiny') } });
    expect((added.value as { totalBytes: number }).totalBytes).toBeGreaterThan(2_000_000);
    await client.waitForEvent((event) => event.channel === 'models.changed' && (event.payload as { id: string }).id === 'opensora-tiny', 5_000);
    expect((await client.call('models.add', { path: FIXTURE })).error?.code).toBe('MODEL_EXISTS');
    expect((await client.call('models.remove', { id: 'shapes-tiny' })).error).toMatchObject({ code: 'MODEL_BUILTIN' });
    expect((await client.call('models.remove', { id: '../outputs' })).error?.code).toBe('INVALID_PARAMS');

    // A restart lists what the data folder holds; a package spoiled on disk is listed as broken, and can be removed.
    await stopAll();
    client = await open(dataDir);
    expect(ids(await client.call('models.list'))).toEqual(['shapes-tiny', 'opensora-tiny']);
    fs.rmSync(path.join(modelsDir, 'opensora-tiny', 'denoiser.final.onnx'));
    expect(ids(await client.call('models.list'))).toEqual(['shapes-tiny']);
    const broken = (await client.call('models.broken')).value as Array<{ id: string; reason: string }>;
    expect(broken).toEqual([{ id: 'opensora-tiny', reason: expect.stringContaining('unit denoiser.final file denoiser.final.onnx is missing') }]);
    const start = await client.call('generation.start', { prompt: 'a cat', modelId: 'opensora-tiny' });
    expect(start.error?.code).toBe('MODEL_INVALID');
    expect(await client.call('models.remove', { id: 'opensora-tiny' })).toMatchObject({ ok: true, value: { removed: true } });
    expect(fs.readdirSync(modelsDir)).toEqual([]);
    expect((await client.call('models.broken')).value).toEqual([]);
  }, 120_000);

  it('a package whose weights file is a named pipe is refused within 2 s, typed and named; the next generation runs', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-models-fifo-')), 'data');
    const client = await open(dataDir);
    const hostile = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-fifo-package-'));
    fs.cpSync(FIXTURE, hostile, { recursive: true });
    fs.rmSync(path.join(hostile, 'denoiser.block.00.weights'));
    execFileSync('mkfifo', [path.join(hostile, 'denoiser.block.00.weights')]);
    // Several at once: each used to pin one of the engine's file I/O threads for good.
    for (let attempt = 0; attempt < 5; attempt++) {
      const started = Date.now();
      const refused = await client.call('models.add', { path: hostile });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(refused).toMatchObject({ ok: false, error: { code: 'MODEL_INVALID', message: expect.stringContaining('denoiser.block.00.weights is a named pipe (FIFO), not a regular file') } });
    }
    expect(fs.existsSync(path.join(dataDir, 'models')) ? fs.readdirSync(path.join(dataDir, 'models')) : []).toEqual([]);
    const started = await client.call('generation.start', { prompt: 'a red circle moving left on a blue background', seed: 2, steps: 4 });
    const { jobId } = started.value as { jobId: string };
    await client.waitForEvent(isJobEvent(jobId, 'done'), 60_000);
    fs.rmSync(hostile, { recursive: true, force: true });
  }, 120_000);

  it('imports checkpoints through the running studio: the server runs the importer as a child, progress and the end arrive as events', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-models-import-')), 'data');
    const client = await open(dataDir);
    const ckpt = path.resolve('test/fixtures/checkpoints/opensora-tiny');
    const folders = { stdit: path.join(ckpt, 'stdit'), vae: path.join(ckpt, 'vae'), t5: path.join(ckpt, 't5') };
    const refused = await client.call('models.import', { ...folders, vae: path.join(ckpt, 'nowhere'), name: 'Refused' });
    const refusedEnd = await client.waitForEvent(importEvent((refused.value as { importId: string }).importId, (kind) => kind === 'failed'), 60_000);
    expect(refusedEnd.payload).toMatchObject({ error: { code: 'INVALID_PARAMS', message: expect.stringContaining(path.join(ckpt, 'nowhere')) } });

    const started = await client.call('models.import', { ...folders, name: 'Open-Sora tiny' });
    const { importId } = started.value as { importId: string };
    const end = await client.waitForEvent(importEvent(importId, (kind) => kind !== 'progress'), 120_000);
    expect(end.payload).toMatchObject({ kind: 'done', model: { id: 'open-sora-tiny', path: path.join(dataDir, 'models', 'open-sora-tiny') } });
    const progress = client.events.filter(importEvent(importId, (kind) => kind === 'progress'));
    expect(progress).toHaveLength(15);
    expect(ids(await client.call('models.list'))).toEqual(['shapes-tiny', 'open-sora-tiny']);
  }, 180_000);
});
