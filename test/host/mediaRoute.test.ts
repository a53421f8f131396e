import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpMediaUrls, mediaUrlsOf, protocolMediaUrls, resolveMediaFile } from '../../src/main/backend/mediaRoute';
import type { StudioBackend } from '../../src/main/backend/studioBackend';
import { mediaProtocolHandler, registerMediaProtocol } from '../../src/main/electron/mediaProtocol';
import { startWebServer, type WebServer } from '../../src/main/web-host/webServer';

/**
 * Clips are served from disk by one rule in both transports: only media files inside the data folder, a file never a
 * folder, no way out by "..", encoded slashes or links; browser mode also needs the page's token.
 */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-media-'));
const dataRoot = path.join(scratch, 'data');
const runDir = path.join(dataRoot, 'outputs', 'run 1');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

beforeAll(() => {
  fs.mkdirSync(path.join(runDir, 'clip-frames'), { recursive: true });
  fs.writeFileSync(path.join(runDir, 'clip-frames', 'frame-000.png'), PNG);
  fs.writeFileSync(path.join(runDir, 'clip.json'), '{}');
  fs.writeFileSync(path.join(dataRoot, 'studio.db'), 'SQLite format 3');
  fs.writeFileSync(path.join(scratch, 'secret.png'), 'outside');
  fs.symlinkSync(path.join(scratch, 'secret.png'), path.join(runDir, 'link.png'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the media route rule (resolveMediaFile)', () => {
  it('serves a media file inside the data folder, by its percent-encoded relative path', () => {
    const [url] = mediaUrlsOf(protocolMediaUrls(dataRoot), [path.join(runDir, 'clip-frames', 'frame-000.png')]) ?? [];
    expect(url).toBe('studio-media://data/outputs/run%201/clip-frames/frame-000.png');
    expect(resolveMediaFile(dataRoot, 'outputs/run%201/clip-frames/frame-000.png')).toMatchObject({ ok: true, contentType: 'image/png', sizeBytes: PNG.length });
  });

  it('refuses a way out, a folder (no listing), a file that is not media, and a link out of the folder', () => {
    for (const bad of ['../secret.png', 'outputs/..%2F..%2Fsecret.png', 'outputs/%2e%2e/%2e%2e/secret.png', '/etc/passwd.png', 'outputs//x.png', 'outputs%5C..%5C..%5Csecret.png', '%E0%A4%A']) {
      expect(resolveMediaFile(dataRoot, bad), bad).toMatchObject({ ok: false, status: 400 });
    }
    expect(resolveMediaFile(dataRoot, 'outputs/run%201')).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaFile(dataRoot, 'studio.db')).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaFile(dataRoot, 'outputs/run%201/link.png')).toMatchObject({ ok: false, status: 404 });
    expect(resolveMediaFile(dataRoot, 'outputs/run%201/missing.png')).toMatchObject({ ok: false, status: 404 });
    expect(mediaUrlsOf(protocolMediaUrls(dataRoot), [path.join(scratch, 'secret.png')])).toBeNull();
  });
});

describe('browser mode: /media/<path>?token=… on the studio server', () => {
  let server: WebServer;
  const token = 'media-route-token';
  const backend = { onEvent: () => () => undefined, invoke: async () => undefined } as unknown as StudioBackend;
  beforeAll(async () => {
    server = await startWebServer({ backend, staticDir: scratch, token, port: 0, mediaRoot: dataRoot });
  });
  afterAll(async () => server.close());

  const get = (relative: string): Promise<Response> => fetch(`http://127.0.0.1:${server.port}${relative}`);

  it('serves a frame with the token, and nothing without it', async () => {
    const url = httpMediaUrls(dataRoot, token).url('outputs/run%201/clip-frames/frame-000.png');
    const served = await get(url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await get('/media/outputs/run%201/clip-frames/frame-000.png')).status).toBe(401);
    expect((await get('/media/outputs/run%201/clip-frames/frame-000.png?token=wrong')).status).toBe(401);
  });

  it('answers a way out, a folder and the database with an error, not a file or a listing', async () => {
    expect((await get(`/media/outputs/..%2F..%2Fsecret.png?token=${token}`)).status).toBe(400);
    expect((await get(`/media/outputs/run%201?token=${token}`)).status).toBe(404);
    expect((await get(`/media/outputs/?token=${token}`)).status).toBe(400);
    expect((await get(`/media/studio.db?token=${token}`)).status).toBe(404);
  });
});

describe('Electron: the studio-media:// protocol handler', () => {
  it('is registered for its scheme and serves the same files by the same rule', async () => {
    const registered: Array<{ scheme: string; handler: (request: Request) => Response | Promise<Response> }> = [];
    registerMediaProtocol({ handle: (scheme, handler) => registered.push({ scheme, handler }) }, dataRoot);
    expect(registered.map((entry) => entry.scheme)).toEqual(['studio-media']);
    const handle = mediaProtocolHandler(dataRoot);
    const served = handle(new Request('studio-media://data/outputs/run%201/clip-frames/frame-000.png'));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    expect(handle(new Request('studio-media://data/outputs/run%201/clip.json', { method: 'HEAD' })).status).toBe(200);
    expect(handle(new Request('studio-media://data/outputs/run%201/link.png')).status).toBe(404);
    expect(handle(new Request('studio-media://data/outputs/..%2F..%2Fsecret.png')).status).toBe(400);
    expect(handle(new Request('studio-media://elsewhere/outputs/run%201/clip.json')).status).toBe(404);
    expect(handle(new Request('studio-media://data/outputs/run%201/clip.json', { method: 'POST', body: 'x' })).status).toBe(404);
  });
});
