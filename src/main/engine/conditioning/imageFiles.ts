import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import jpeg from 'jpeg-js';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import type { RgbImage } from './resizeCrop';

/** Decoded files larger than this are refused before decoding (a 16k × 16k RGBA image is 1 GiB). */
const MAX_PIXELS = 64 * 1024 * 1024;

const isPng = (bytes: Buffer): boolean => bytes.length > 8 && bytes.readUInt32BE(0) === 0x89504e47;
const isJpeg = (bytes: Buffer): boolean => bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
const isGif = (bytes: Buffer): boolean => bytes.length > 6 && bytes.toString('latin1', 0, 4) === 'GIF8';

function readBytes(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new StudioError('INVALID_PARAMS', `Cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

/** RGBA pixels → RGB, the alpha dropped as upstream's PIL convert("RGB") does. */
function toRgb(data: Uint8Array, width: number, height: number, channels: 3 | 4): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    rgb[p * 3] = data[p * channels];
    rgb[p * 3 + 1] = data[p * channels + 1];
    rgb[p * 3 + 2] = data[p * channels + 2];
  }
  return { width, height, rgb };
}

/** A PNG or JPEG file (by its bytes, whatever its extension) as RGB. */
export function readImageFile(file: string): RgbImage {
  const bytes = readBytes(file, 'image');
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(bytes);
      return toRgb(png.data, png.width, png.height, 4);
    }
    if (isJpeg(bytes)) {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
      return toRgb(decoded.data, decoded.width, decoded.height, 4);
    }
  } catch (error) {
    throw new StudioError('INVALID_PARAMS', `The image ${file} cannot be decoded: ${(error as Error).message}.`);
  }
  throw new StudioError('INVALID_PARAMS', `${file} is not a PNG or JPEG image.`);
}

/** Every frame of a GIF, composited as a player shows them, as RGB. */
function readGifFrames(file: string, bytes: Buffer): RgbImage[] {
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch (error) {
    throw new StudioError('INVALID_PARAMS', `The GIF ${file} cannot be decoded: ${(error as Error).message}.`);
  }
  const { width, height } = reader;
  if (width * height * reader.numFrames() > MAX_PIXELS * 4) {
    throw new StudioError('INVALID_PARAMS', `The GIF ${file} is too large to read (${reader.numFrames()} frames of ${width} × ${height}).`);
  }
  const canvas = new Uint8Array(width * height * 4);
  const frames: RgbImage[] = [];
  for (let i = 0; i < reader.numFrames(); i++) {
    reader.decodeAndBlitFrameRGBA(i, canvas);
    frames.push(toRgb(canvas, width, height, 4));
  }
  return frames;
}

/**
 * A clip's last `last` frames (all when absent) and its frame count: a folder of PNG frames (in name order, as the
 * studio writes FILE-frames/; only the kept files are decoded) or a GIF (decoded in order, as its frames build on
 * each other).
 */
export function readClipFrames(source: string, last = Infinity): { frames: RgbImage[]; total: number } {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(source);
  } catch (error) {
    throw new StudioError('INVALID_PARAMS', `Cannot read the clip ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  if (stats.isDirectory()) {
    const names = fs.readdirSync(source).filter((name) => /\.png$/i.test(name)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (names.length === 0) {
      throw new StudioError('INVALID_PARAMS', `The folder ${source} holds no PNG frames.`);
    }
    return { frames: names.slice(Math.max(0, names.length - last)).map((name) => readImageFile(path.join(source, name))), total: names.length };
  }
  const bytes = readBytes(source, 'clip');
  if (isGif(bytes)) {
    const frames = readGifFrames(source, bytes);
    return { frames: frames.slice(Math.max(0, frames.length - last)), total: frames.length };
  }
  throw new StudioError('INVALID_PARAMS', `${source} is not a GIF or a folder of PNG frames (MP4 clips cannot be read yet: extend from the run's GIF or frames folder).`);
}
