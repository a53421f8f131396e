import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStudioOnScratch, type RunningStudio } from '../e2e/support/studioServer';

/** Malformed traffic against the real browser-mode server (built out/main/server.js with a real engine). */
let studio: RunningStudio;

beforeAll(async () => {
  studio = await startStudioOnScratch('websocket');
});
afterAll(async () => {
  await studio?.stop();
});

function wsUrl(token: string | null): string {
  const base = studio.origin.replace('http:', 'ws:');
  return token === null ? `${base}/ws` : `${base}/ws?token=${encodeURIComponent(token)}`;
}

function open(options: { token?: string | null; origin?: string | null } = {}): Promise<WebSocket> {
  const token = options.token === undefined ? studio.token : options.token;
  const origin = options.origin === undefined ? studio.origin : options.origin;
  const ws = new WebSocket(wsUrl(token), origin === null ? {} : { origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The next reply frame (pushed events such as engine.state are skipped). */
function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame.type !== 'event') {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

async function call(ws: WebSocket, frame: unknown): Promise<Record<string, unknown>> {
  const reply = nextMessage(ws);
  ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  return reply;
}

async function serverStillServes(): Promise<void> {
  const ws = await open();
  const reply = await call(ws, { type: 'invoke', id: 99, method: 'app.ping', params: { echo: 'alive' } });
  expect(reply).toMatchObject({ type: 'result', id: 99, ok: true, value: { echo: 'alive' } });
  ws.close();
  expect(studio.process.exitCode).toBeNull();
}

describe('browser-mode WebSocket transport', () => {
  it('answers a valid call', async () => {
    const ws = await open();
    const reply = await call(ws, { type: 'invoke', id: 1, method: 'system.info', params: {} });
    expect(reply).toMatchObject({ type: 'result', id: 1, ok: true });
    expect((reply.value as { runtimeCheck: { ok: boolean } }).runtimeCheck.ok).toBe(true);
    ws.close();
  });

  it('rejects bad JSON with a typed error and keeps the connection', async () => {
    const ws = await open();
    expect(await call(ws, '{not json')).toMatchObject({ type: 'error', error: { code: 'BAD_MESSAGE' } });
    expect(await call(ws, '[1,2,3]')).toMatchObject({ type: 'error', error: { code: 'BAD_MESSAGE' } });
    expect(await call(ws, { type: 'invoke', id: 'x', method: 'app.ping' })).toMatchObject({ type: 'error', error: { code: 'BAD_MESSAGE' } });
    expect(await call(ws, { type: 'invoke', id: 5, method: 'app.ping', params: { echo: 'still here' } })).toMatchObject({ ok: true, id: 5 });
    ws.close();
  });

  it('rejects binary frames with a typed error', async () => {
    const ws = await open();
    const reply = nextMessage(ws);
    ws.send(Buffer.from([1, 2, 3]));
    expect(await reply).toMatchObject({ type: 'error', error: { code: 'BAD_MESSAGE' } });
    ws.close();
  });

  it('answers an unknown method with UNKNOWN_METHOD', async () => {
    const ws = await open();
    expect(await call(ws, { type: 'invoke', id: 2, method: 'engine.formatDisk', params: {} })).toMatchObject({
      type: 'result',
      id: 2,
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await call(ws, { type: 'invoke', id: 3, method: '__proto__', params: {} })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    ws.close();
  });

  it('answers wrong param types with INVALID_PARAMS naming the field', async () => {
    const ws = await open();
    const wrongType = await call(ws, { type: 'invoke', id: 4, method: 'app.ping', params: { echo: 42 } });
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect((wrongType.error as { message: string }).message).toContain('echo');
    const extraKey = await call(ws, { type: 'invoke', id: 6, method: 'system.info', params: { evil: true } });
    expect(extraKey).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    const notObject = await call(ws, { type: 'invoke', id: 7, method: 'app.ping', params: 'hello' });
    expect(notObject).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    ws.close();
  });

  it('refuses a connection without a token or with a wrong one', async () => {
    await expect(open({ token: null })).rejects.toThrow('HTTP 401');
    await expect(open({ token: 'wrong-token' })).rejects.toThrow('HTTP 401');
    await expect(open({ token: `${studio.token}x` })).rejects.toThrow('HTTP 401');
  });

  it('refuses a foreign Origin and a missing Origin', async () => {
    await expect(open({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(open({ origin: 'http://127.0.0.1:1' })).rejects.toThrow('HTTP 403');
    await expect(open({ origin: null })).rejects.toThrow('HTTP 403');
  });

  it('closes the connection on an oversized frame', async () => {
    const ws = await open();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'invoke', id: 8, method: 'app.ping', params: { echo: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await closed).toBe(1009);
  });

  it('is still serving after all of the above', async () => {
    await serverStillServes();
  });
});
