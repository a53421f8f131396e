import { spawn, spawnSync } from 'node:child_process';
import type { RgbaClip } from './frames';

/** True when an ffmpeg with libx264 is on PATH: the studio's one MP4 encoder (outputs and export) needs it. */
export function ffmpegAvailable(): boolean {
  const probe = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('libx264');
}

/**
 * Writes an H.264 MP4 by piping raw RGBA frames into ffmpeg. H.264 in yuv420p needs even sizes, so odd sizes
 * are padded by one pixel. The metadata comment carries the reproducibility record.
 */
export async function writeMp4(clip: RgbaClip, outPath: string, options: { comment?: string } = {}): Promise<void> {
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${clip.width}x${clip.height}`, '-r', String(clip.fps), '-i', '-',
    '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
    ...(options.comment ? ['-metadata', `comment=${options.comment}`] : []),
    outPath,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed (exit ${code}): ${stderr.trim()}`))));
  });
  for (const frame of clip.frames) {
    if (!child.stdin.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))) {
      await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
  }
  child.stdin.end();
  await done;
}
