import { spawnSync } from 'node:child_process';
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
/** An ISO base-media file (MP4, MOV): its first box is `ftyp`. */
const isMp4 = (bytes: Buffer): boolean => bytes.length > 12 && bytes.toString('latin1', 4, 8) === 'ftyp';

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

/** The lossless frames the studio writes beside a clip: FILE-frames/ for FILE.mp4 (writeOutputs), or null. */
function framesFolderBeside(file: string): string | null {
  const folder = path.join(path.dirname(file), `${path.basename(file, path.extname(file))}-frames`);
  return fs.existsSync(folder) && fs.statSync(folder).isDirectory() ? folder : null;
}

/**
 * Every frame of an H.264 MP4 through ffmpeg, where one is on PATH: the studio has no H.264 decoder of its own (its
 * encoder is WebAssembly, decoding in Chromium is the renderer's), and a clip the studio made has its PNG frames beside it.
 */
function readMp4Frames(file: string): RgbImage[] {
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? 'no ffmpeg/ffprobe on PATH to decode it' : `ffprobe cannot read it (${probe.stderr.trim()})`;
    throw new StudioError('INVALID_PARAMS', `The MP4 ${file} cannot be read here: ${why}. Extend from its PNG frames folder, a GIF, or the run's id.`);
  }
  const [width, height] = probe.stdout.trim().split(',').map(Number);
  if (!(width > 0 && height > 0)) {
    throw new StudioError('INVALID_PARAMS', `The MP4 ${file} has no video stream.`);
  }
  const frameBytes = width * height * 3;
  const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: MAX_PIXELS * 4, timeout: 20_000 });
  if (decoded.error || decoded.status !== 0) {
    const why = decoded.error ? decoded.error.message : decoded.stderr.toString().trim();
    throw new StudioError('INVALID_PARAMS', `The MP4 ${file} cannot be decoded: ${why}.`);
  }
  const frames: RgbImage[] = [];
  for (let offset = 0; offset + frameBytes <= decoded.stdout.length; offset += frameBytes) {
    frames.push({ width, height, rgb: new Uint8Array(decoded.stdout.subarray(offset, offset + frameBytes)) });
  }
  return frames;
}

/**
 * A clip's last `last` frames (all when absent) and its frame count: a folder of PNG frames (in name order, as the
 * studio writes FILE-frames/; only the kept files are decoded), a GIF (decoded in order, as its frames build on
 * each other), or an MP4: the studio's own PNG frames beside it when they are there (exact, no decoder needed),
 * else decoded by ffmpeg.
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
  const decoded = isGif(bytes) ? readGifFrames(source, bytes) : null;
  if (decoded) {
    return { frames: decoded.slice(Math.max(0, decoded.length - last)), total: decoded.length };
  }
  if (isMp4(bytes)) {
    const beside = framesFolderBeside(source);
    if (beside) {
      return readClipFrames(beside, last);
    }
    const frames = readMp4Frames(source);
    return { frames: frames.slice(Math.max(0, frames.length - last)), total: frames.length };
  }
  throw new StudioError('INVALID_PARAMS', `${source} is not a GIF, an MP4 or a folder of PNG frames.`);
}
