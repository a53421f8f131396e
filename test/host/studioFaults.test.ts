import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStudio, type RunningStudio } from '../e2e/support/studioServer';
import { holdSqliteLock, type SqliteLocker } from '../store/support/sqliteLocker';
import { isJobEvent, StudioClient } from './support/studioClient';

/**
 * The faults of a probe of the running studio (built out/main/server.js, real engine, real SQLite file), each
 * reproduced: the studio must answer with a typed error and keep serving.
 */
function scratchDataDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-faults-')), 'data');
}

function httpRequest(studio: RunningStudio, method: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const url = new URL(studio.origin);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: '/', method, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    request.on('error', reject);
    request.end();
  });
}

async function stillServes(client: StudioClient, studio: RunningStudio): Promise<void> {
  expect(await client.call('app.ping', { echo: 'alive' })).toMatchObject({ ok: true, value: { echo: 'alive' } });
  expect(studio.process.exitCode).toBeNull();
}

describe('transport faults', () => {
  let studio: RunningStudio;
  let client: StudioClient;
  beforeAll(async () => {
    studio = await startStudio({ STUDIO_DATA_DIR: scratchDataDir() });
    client = await StudioClient.connect(studio);
  });
  afterAll(async () => {
    client?.close();
    await studio?.stop();
  });

  it('the static server allows GET and HEAD only', async () => {
    for (const method of ['POST', 'OPTIONS', 'DELETE', 'PUT']) {
      const reply = await httpRequest(studio, method);
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    const head = await httpRequest(studio, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await httpRequest(studio, 'GET')).body).toContain('<html');
  });

  it('checks Host against 127.0.0.1 / localhost and its port (DNS rebinding)', async () => {
    const port = new URL(studio.origin).port;
    expect((await httpRequest(studio, 'GET', { host: `evil.example:${port}` })).status).toBe(421);
    expect((await httpRequest(studio, 'GET', { host: `127.0.0.1:1` })).status).toBe(421);
    expect((await httpRequest(studio, 'GET', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('10,000-deep nested method and params get typed errors, not INTERNAL', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const method = await client.raw(`{"type":"invoke","id":1,"method":${deep},"params":{}}`);
    expect(method).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'Unknown method (an array; a method name is a string).' } });
    const params = await client.raw(`{"type":"invoke","id":2,"method":"app.ping","params":{"echo":${deep}}}`);
    expect(params).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: 'Invalid params for app.ping: nested deeper than 32 levels.' } });
    await stillServes(client, studio);
  });

  it('50,000 unknown keys in params give a short error naming five of them and the count', async () => {
    const params: Record<string, unknown> = { echo: 'x' };
    for (let i = 0; i < 50_000; i++) {
      params[`stray_${i}`] = i;
    }
    const reply = await client.call('app.ping', params);
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'INVALID_PARAMS', message: 'Invalid params for app.ping: (params): 50000 unknown keys ("stray_0", "stray_1", "stray_2", "stray_3", "stray_4" and 49995 more)' },
    });
    await stillServes(client, studio);
  });

  it('generation.start takes a registered model id, never a path, and never echoes a file', async () => {
    const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-secret-'));
    fs.writeFileSync(path.join(secretDir, 'manifest.json'), 'PRIVATE-CONTENTS-9876');
    const byPath = await client.call('generation.start', { prompt: 'a red circle', modelPath: secretDir });
    expect(byPath).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(byPath.error?.message).toContain('modelPath');
    expect(byPath.error?.message).not.toContain('PRIVATE');
    const traversal = await client.call('generation.start', { prompt: 'a red circle', modelId: '../../etc' });
    expect(traversal).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    const unknown = await client.call('generation.start', { prompt: 'a red circle', modelId: 'not-registered' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No registered model has the id "not-registered"; models.list names the models this studio has.' } });
    const models = (await client.call('models.list')).value as Array<{ id: string }>;
    expect(models.map((model) => model.id)).toContain('shapes-tiny');
  });

  it('messages quoting a value that ends in "." end in one full stop', async () => {
    const reply = await client.call('generation.result', { jobId: 'job.' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'No finished result for job job.' } });
  });

  it('the queue has a stated limit: jobs of 200 steps are refused past 2,000 steps with QUEUE_FULL', async () => {
    const accepted: string[] = [];
    let refused: { code: string; message: string } | undefined;
    for (let i = 0; i < 300 && !refused; i++) {
      const reply = await client.call('generation.start', { prompt: 'a red circle moving left', seed: i, steps: 200 });
      if (reply.ok) {
        accepted.push((reply.value as { jobId: string }).jobId);
      } else {
        refused = reply.error;
      }
    }
    expect(accepted).toHaveLength(10);
    expect(refused).toEqual({
      code: 'QUEUE_FULL',
      message: 'The queue is full: its jobs already take 2000 steps and this one 200 more (the limit is 2000 steps together). Cancel a job or wait for one to finish.',
    });
    for (const jobId of accepted.reverse()) {
      await client.call('generation.cancel', { jobId });
    }
    await client.waitForEvent(isJobEvent(accepted.at(-1) as string, 'cancelled'));
    await stillServes(client, studio);
  });

  it('reports the engine pid where it stays true: a new STUDIO_ENGINE_PID line after a restart', async () => {
    const pidLines = (): number[] => [...studio.output().matchAll(/STUDIO_ENGINE_PID=(\d+)/g)].map((match) => Number(match[1]));
    const before = pidLines();
    const firstPid = ((await client.call('system.info')).value as { engineProcessId: number }).engineProcessId;
    expect(before.at(-1)).toBe(firstPid);
    process.kill(firstPid, 'SIGKILL');
    await client.waitForEvent((event) => event.channel === 'engine.state' && (event.payload as { kind: string; processId?: number }).kind === 'ready' && (event.payload as { processId: number }).processId !== firstPid);
    const secondPid = ((await client.call('system.info')).value as { engineProcessId: number }).engineProcessId;
    expect(secondPid).not.toBe(firstPid);
    await expect.poll(() => pidLines().at(-1)).toBe(secondPid);
  });
});

describe('storage faults while generating (SQLite file locked by another process)', () => {
  let studio: RunningStudio | undefined;
  let locker: SqliteLocker | undefined;
  afterEach(async () => {
    await locker?.release();
    await studio?.stop();
  });

  it('the job finishes once (done, never failed), is told once, keeps its outputs; the studio serves; the row is written when the lock goes', async () => {
    const dataDir = scratchDataDir();
    studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
    const client = await StudioClient.connect(studio);
    locker = await holdSqliteLock(path.join(dataDir, 'studio.db'));
    const started = await client.call('generation.start', { prompt: 'a red circle moving left on a blue background', seed: 5, steps: 3 });
    expect(started.ok).toBe(true);
    const { jobId } = started.value as { jobId: string };
    await client.waitForEvent(isJobEvent(jobId, 'done'));
    const kinds = client.jobEvents(jobId).map((event) => event.kind);
    expect(kinds.filter((kind) => kind === 'done')).toHaveLength(1);
    expect(kinds).not.toContain('failed');
    const notices = client.jobEvents(jobId).filter((event) => event.kind === 'not-saved');
    expect(notices).toHaveLength(1);
    expect(notices[0].error).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(notices[0].error?.message).toContain('locked by another program');
    const health = await client.call('store.health');
    expect(health.value).toMatchObject({ kind: 'failing', pendingWrites: 3, error: { code: 'STORAGE_UNAVAILABLE' } });
    // A locked file costs the server milliseconds per attempt (it used to block ~5 s per write).
    const pingStart = Date.now();
    await stillServes(client, studio);
    expect(Date.now() - pingStart).toBeLessThan(1000);
    const result = (await client.call('generation.result', { jobId })).value as { summary: { outputs: string[] } };
    expect(result.summary.outputs.length).toBeGreaterThan(0);
    for (const output of result.summary.outputs) {
      expect(fs.existsSync(output), output).toBe(true);
    }

    await locker.release();
    locker = undefined;
    await client.waitForEvent((event) => event.channel === 'store.health' && (event.payload as { kind: string }).kind === 'ok', 30_000);
    const listed = (await client.call('history.list', {})).value as { entries: Array<{ id: string; status: string; outputs: string[] }> };
    expect(listed.entries).toEqual([expect.objectContaining({ id: jobId, status: 'done', outputs: result.summary.outputs })]);
    client.close();
  });
});

describe('a killed studio does not forget its runs', () => {
  it('after SIGKILL mid-run, the next start lists the running and queued runs as interrupted, with prompt and settings', async () => {
    const dataDir = scratchDataDir();
    const first = await startStudio({ STUDIO_DATA_DIR: dataDir });
    const client = await StudioClient.connect(first);
    const running = await client.call('generation.start', { prompt: 'a red circle moving left', seed: 1, steps: 200, tdtmMergedSteps: 4 });
    const waiting = await client.call('generation.start', { prompt: 'a blue square moving up', seed: 2, steps: 20, lpl: { kind: 'fixed', leapStep: 10 } });
    const runningId = (running.value as { jobId: string }).jobId;
    const waitingId = (waiting.value as { jobId: string }).jobId;
    await client.waitForEvent(isJobEvent(runningId, 'step'));
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    client.close();

    const second = await startStudio({ STUDIO_DATA_DIR: dataDir });
    try {
      const reader = await StudioClient.connect(second);
      const listed = (await reader.call('history.list', {})).value as { entries: Array<{ id: string; status: string; request: unknown; startedAtMs: number | null }> };
      const byId = new Map(listed.entries.map((entry) => [entry.id, entry]));
      expect(byId.get(runningId)).toMatchObject({ status: 'interrupted', request: { prompt: 'a red circle moving left', seed: 1, steps: 200, tdtmMergedSteps: 4 } });
      expect(byId.get(runningId)?.startedAtMs).toBeGreaterThan(0);
      expect(byId.get(waitingId)).toMatchObject({ status: 'interrupted', startedAtMs: null, request: { prompt: 'a blue square moving up', lpl: { kind: 'fixed', leapStep: 10 } } });
      reader.close();
    } finally {
      await second.stop();
    }
  });
});
