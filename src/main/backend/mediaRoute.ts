import fs from 'node:fs';
import path from 'node:path';

/**
 * Clips are served from disk: the renderer loads a run's frames, GIF, MP4 and record by URL from the data folder,
 * through one route (a custom protocol in Electron, a token-checked path on the browser-mode server). This module is
 * the route's one rule, shared by both: a relative path inside the data folder, a media file type, a regular file
 * (never a folder: no listing), and no link leading out of the folder.
 */
export const MEDIA_PROTOCOL = 'studio-media';
/** Path prefix of the route on the browser-mode server. */
export const MEDIA_HTTP_PREFIX = '/media/';

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  // A run's start image is kept as uploaded (reference.png or reference.jpg).
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.json': 'application/json',
};

export type MediaLookup = { ok: true; file: string; contentType: string; sizeBytes: number } | { ok: false; status: 400 | 404; reason: string };

/** Resolves a URL path (percent-encoded, '/'-separated, relative to the data folder) to a file the route may serve. */
export function resolveMediaFile(dataRoot: string, encodedPath: string): MediaLookup {
  let relative: string;
  try {
    relative = encodedPath.split('/').map(decodeURIComponent).join('/');
  } catch {
    return { ok: false, status: 400, reason: 'The path is not valid percent-encoding.' };
  }
  const parts = relative.split('/');
  if (relative.includes('\0') || relative.includes('\\') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    return { ok: false, status: 400, reason: 'Only a plain relative path inside the data folder is served.' };
  }
  const contentType = CONTENT_TYPES[path.extname(relative).toLowerCase()];
  if (!contentType) {
    return { ok: false, status: 404, reason: 'Only media files (PNG, JPEG, GIF, MP4, JSON) are served.' };
  }
  let root: string;
  let file: string;
  try {
    root = fs.realpathSync(dataRoot);
    file = fs.realpathSync(path.join(root, ...parts));
  } catch {
    return { ok: false, status: 404, reason: 'No such file.' };
  }
  const inside = path.relative(root, file);
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    return { ok: false, status: 404, reason: 'No such file.' };
  }
  const stat = fs.statSync(file);
  if (!stat.isFile()) {
    return { ok: false, status: 404, reason: 'No such file.' };
  }
  return { ok: true, file, contentType, sizeBytes: stat.size };
}

/** A data-folder file's path for a media URL: relative, '/'-separated, each part percent-encoded. */
export function encodeMediaPath(dataRoot: string, file: string): string {
  return path.relative(dataRoot, file).split(path.sep).map(encodeURIComponent).join('/');
}

/** How the composition root turns a data-folder file into a URL the renderer may load (per transport). */
export interface MediaUrls {
  dataRoot: string;
  url: (encodedPath: string) => string;
}

/** Electron: studio-media://data/<path>. */
export function protocolMediaUrls(dataRoot: string): MediaUrls {
  return { dataRoot, url: (encodedPath) => `${MEDIA_PROTOCOL}://data/${encodedPath}` };
}

/** Browser mode: /media/<path>?token=… on the studio's own server. */
export function httpMediaUrls(dataRoot: string, token: string): MediaUrls {
  return { dataRoot, url: (encodedPath) => `${MEDIA_HTTP_PREFIX}${encodedPath}?token=${encodeURIComponent(token)}` };
}

/** The URLs of files under the data folder; a file outside it has none (null). */
export function mediaUrlsOf(media: MediaUrls, files: readonly string[]): string[] | null {
  const inside = files.every((file) => {
    const relative = path.relative(media.dataRoot, file);
    return !relative.startsWith('..') && !path.isAbsolute(relative);
  });
  return inside ? files.map((file) => media.url(encodeMediaPath(media.dataRoot, file))) : null;
}
