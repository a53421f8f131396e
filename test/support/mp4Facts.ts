import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';

/** What the tests check in an MP4, read by a demuxer (mediabunny): no external tool needed. */
export interface Mp4Facts {
  /** Top-level box types in file order, e.g. ['ftyp', 'moov', 'mdat'] for a fast-start file. */
  topLevel: string[];
  codec: string | null;
  width: number;
  height: number;
  packetCount: number;
  keyPacketCount: number;
  durationS: number;
  comment: string | undefined;
}

export async function readMp4Facts(bytes: Uint8Array): Promise<Mp4Facts> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const topLevel: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size = view.getUint32(offset);
    topLevel.push(String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)));
    if (size < 8) {
      break;
    }
    offset += size;
  }
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (!track) {
    throw new Error('The MP4 has no video track.');
  }
  const stats = await track.computePacketStats();
  let keyPacketCount = 0;
  for await (const packet of new EncodedPacketSink(track).packets()) {
    keyPacketCount += packet.type === 'key' ? 1 : 0;
  }
  return {
    topLevel,
    codec: await track.getCodec(),
    width: track.codedWidth,
    height: track.codedHeight,
    packetCount: stats.packetCount,
    keyPacketCount,
    durationS: await input.computeDuration(),
    comment: (await input.getMetadataTags()).comment,
  };
}

/**
 * The MP4's frames decoded by ffmpeg as RGBA (or as the I420 planes it holds), where an ffmpeg is on PATH (a second, independent reader of the file);
 * null where there is none, as on a Mac without it: the studio itself never needs ffmpeg.
 */
export function decodeWithFfmpeg(bytes: Uint8Array, width: number, height: number, pixelFormat: 'rgba' | 'yuv420p' = 'rgba'): Uint8Array[] | null {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) {
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-mp4-decode-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    fs.writeFileSync(file, bytes);
    const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', pixelFormat, '-'], { maxBuffer: 1 << 30 });
    if (decoded.status !== 0) {
      throw new Error(`ffmpeg cannot decode the MP4: ${decoded.stderr.toString()}`);
    }
    const frameBytes = pixelFormat === 'rgba' ? width * height * 4 : (width * height * 3) / 2;
    const frames: Uint8Array[] = [];
    for (let offset = 0; offset + frameBytes <= decoded.stdout.length; offset += frameBytes) {
      frames.push(decoded.stdout.subarray(offset, offset + frameBytes));
    }
    return frames;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
