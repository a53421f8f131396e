import fs from 'node:fs';
import { Readable } from 'node:stream';
import { MEDIA_PROTOCOL, resolveMediaFile } from '../backend/mediaRoute';

/** How the scheme is registered (before app ready): a standard, secure scheme the renderer may fetch() and stream. */
export const MEDIA_SCHEME_PRIVILEGES = {
  scheme: MEDIA_PROTOCOL,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true },
} as const;

/** What of Electron's `protocol` this needs (injected, so the handler is tested without Electron). */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

/**
 * The window's media route: studio-media://data/<path> serves one media file of the data folder, by the rule the
 * browser-mode route uses (resolveMediaFile); anything else is answered with its status and reason, never a listing.
 */
export function mediaProtocolHandler(dataRoot: string): (request: Request) => Response {
  return (request) => {
    const url = new URL(request.url);
    if (url.host !== 'data' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
    const lookup = resolveMediaFile(dataRoot, url.pathname.replace(/^\//, ''));
    if (!lookup.ok) {
      return new Response(lookup.reason, { status: lookup.status, headers: { 'content-type': 'text/plain' } });
    }
    const body = request.method === 'HEAD' ? null : (Readable.toWeb(fs.createReadStream(lookup.file)) as ReadableStream<Uint8Array>);
    return new Response(body, {
      status: 200,
      headers: { 'content-type': lookup.contentType, 'content-length': String(lookup.sizeBytes), 'x-content-type-options': 'nosniff', 'access-control-allow-origin': '*' },
    });
  };
}

export function registerMediaProtocol(protocol: ProtocolLike, dataRoot: string): void {
  protocol.handle(MEDIA_PROTOCOL, mediaProtocolHandler(dataRoot));
}
