import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { serializeError } from '@shared/ipc/errors';
import type { ServerMessage } from '@shared/ipc/wire';
import type { StudioBackend } from '../backend/studioBackend';
import { MEDIA_HTTP_PREFIX, resolveMediaFile } from '../backend/mediaRoute';
import { serveStatic } from './staticFiles';

export interface WebServerOptions {
  backend: StudioBackend;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** Random per-run secret; WebSocket clients must present it. */
  token: string;
  port?: number;
  host?: string;
  /** Largest accepted WebSocket frame. */
  maxMessageBytes?: number;
  /** The data folder whose media files /media/<path>?token=… serves (clips are loaded from disk); absent: no route. */
  mediaRoot?: string;
}

export interface WebServer {
  readonly port: number;
  /** The URL to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Browser mode: serves the renderer on 127.0.0.1 and speaks the studio contract over one WebSocket per page.
 * Connections need the token and a same-origin Origin header; malformed frames get typed errors, never a crash.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  let allowedHosts = new Set<string>();
  const server = http.createServer((request, response) => {
    // A page on another name that resolves here (DNS rebinding) sends its own Host: only ours is served.
    if (!allowedHosts.has(request.headers.host ?? '')) {
      response.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request: this studio answers only as 127.0.0.1 or localhost.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed: the studio serves files with GET and HEAD only.');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(MEDIA_HTTP_PREFIX)) {
      serveMedia(options, url, request, response);
      return;
    }
    serveStatic(options.staticDir, request, response);
  });
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 1024 * 1024 });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (!allowedHosts.has(request.headers.host ?? '')) {
      return rejectUpgrade(socket, 421, 'Misdirected Request');
    }
    if (url.pathname !== '/ws') {
      return rejectUpgrade(socket, 404, 'Not Found');
    }
    if (!tokenMatches(url.searchParams.get('token'), options.token)) {
      return rejectUpgrade(socket, 401, 'Unauthorized');
    }
    const origin = request.headers.origin;
    if (!origin || !allowedOrigins.has(origin)) {
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => void handleFrame(ws, data, isBinary));
    });
  });

  const unsubscribe = options.backend.onEvent((channel, payload) => {
    const frame = JSON.stringify({ type: 'event', channel, payload } satisfies ServerMessage);
    for (const ws of sockets) {
      ws.send(frame);
    }
  });

  async function handleFrame(ws: WebSocket, data: unknown, isBinary: boolean): Promise<void> {
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify(message));
      }
    };
    if (isBinary) {
      return send({ type: 'error', error: { code: 'BAD_MESSAGE', message: 'Binary frames are not accepted.' } });
    }
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return send({ type: 'error', error: { code: 'BAD_MESSAGE', message: 'The frame is not valid JSON.' } });
    }
    const frame = message as { type?: unknown; id?: unknown; method?: unknown; params?: unknown };
    if (typeof message !== 'object' || message === null || frame.type !== 'invoke' || !Number.isSafeInteger(frame.id)) {
      return send({
        type: 'error',
        error: { code: 'BAD_MESSAGE', message: 'Expected {"type":"invoke","id":<integer>,"method":<string>,"params":{...}}.' },
      });
    }
    const id = frame.id as number;
    try {
      const value = await options.backend.invoke(frame.method, frame.params);
      send({ type: 'result', id, ok: true, value });
    } catch (error) {
      send({ type: 'result', id, ok: false, error: serializeError(error) });
    }
  }

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(options.token)}`,
    async close() {
      unsubscribe();
      for (const ws of sockets) {
        ws.terminate();
      }
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The media route: the page's token, then the route's rule (resolveMediaFile); a file is streamed, never a listing. */
function serveMedia(options: WebServerOptions, url: URL, request: http.IncomingMessage, response: http.ServerResponse): void {
  if (!tokenMatches(url.searchParams.get('token'), options.token)) {
    response.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized: the media route needs the studio\'s token.');
    return;
  }
  const lookup = options.mediaRoot ? resolveMediaFile(options.mediaRoot, url.pathname.slice(MEDIA_HTTP_PREFIX.length)) : { ok: false as const, status: 404 as const, reason: 'No data folder.' };
  if (!lookup.ok) {
    response.writeHead(lookup.status, { 'content-type': 'text/plain' }).end(lookup.reason);
    return;
  }
  response.writeHead(200, { 'content-type': lookup.contentType, 'content-length': lookup.sizeBytes, 'x-content-type-options': 'nosniff', 'cache-control': 'private, max-age=3600' });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  fs.createReadStream(lookup.file).pipe(response);
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) {
    return false;
  }
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

