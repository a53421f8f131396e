import { createRequire } from 'node:module';
import { encodeInWorker } from './encoderWorker';
import type { RgbaClip } from './frames';

/**
 * The GIF encoder's body (gifenc), run in a worker thread: quantizing a clip's colours is seconds of synchronous work
 * at 240p and longer, which on the engine's thread would hold its event loop (and its watchdog's ping) that long.
 * One 256-colour palette for the whole clip keeps colours steady across frames. The palette is clustered from a
 * 4-bit-per-channel histogram (4,096 bins): the 16-bit one took 8.6 s for 51 noisy 256×144 frames against 0.4 s,
 * because its clustering grows with the bins in use; each pixel is still mapped to its nearest palette colour at
 * 5–6 bits per channel.
 */
const GIF_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const gifenc = require(workerData.gifencModule);
const { width, height, fps, frames } = workerData;
const frameBytes = width * height * 4;
const all = new Uint8Array(frames.length * frameBytes);
frames.forEach((frame, index) => all.set(frame, index * frameBytes));
const palette = gifenc.quantize(all, 256, { format: 'rgb444' });
const encoder = gifenc.GIFEncoder();
const delay = Math.round(1000 / fps);
for (const frame of frames) {
  encoder.writeFrame(gifenc.applyPalette(frame, palette, 'rgb565'), width, height, { palette, delay, repeat: 0 });
}
encoder.finish();
const bytes = encoder.bytes();
parentPort.postMessage(bytes, [bytes.buffer]);
`;

/** A looping animated GIF of the clip (every frame shown for 1/fps s), encoded off the calling thread. */
export async function encodeGif(clip: RgbaClip): Promise<Uint8Array> {
  if (clip.frames.length === 0) {
    throw new Error('A GIF needs at least one frame.');
  }
  const gifencModule = createRequire(import.meta.url).resolve('gifenc');
  const frames = clip.frames.map((frame) => Uint8Array.from(frame));
  return encodeInWorker(GIF_WORKER, { gifencModule, width: clip.width, height: clip.height, fps: clip.fps, frames }, frames.map((frame) => frame.buffer), {
    encoder: 'GIF encoder',
    output: 'GIF',
  });
}
