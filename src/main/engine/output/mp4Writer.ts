import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ALL_FORMATS, BufferSource, BufferTarget, Conversion, Input, Mp4OutputFormat, Output } from 'mediabunny';
import type { RgbaClip } from './frames';

/** Encoder settings: constant quantiser 18 (visually lossless for these clips, as x264's CRF 18 was), a keyframe a second. */
const QUANTIZER = 18;

/**
 * The H.264 encoder's body, run in a worker thread: the WASM encode is synchronous and would otherwise hold the
 * host's event loop for the whole clip, and the Emscripten module installs process-wide uncaughtException and
 * unhandledRejection handlers, which stay inside the worker there.
 */
const ENCODER_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createH264MP4Encoder } = require(workerData.encoderModule);
createH264MP4Encoder().then((encoder) => {
  encoder.width = workerData.width;
  encoder.height = workerData.height;
  encoder.frameRate = workerData.fps;
  encoder.quantizationParameter = workerData.quantizer;
  encoder.groupOfPictures = workerData.keyframeInterval;
  encoder.initialize();
  for (const frame of workerData.frames) encoder.addFrameRgba(frame);
  encoder.finalize();
  const bytes = encoder.FS.readFile(encoder.outputFilename);
  encoder.FS.unlink(encoder.outputFilename);
  encoder.delete();
  parentPort.postMessage(bytes, [bytes.buffer]);
});
`;

/**
 * Writes an H.264 MP4 of the clip, encoded in-process (minih264 compiled to WebAssembly, no external binary), then
 * rewritten by mediabunny's muxer without re-encoding: the index first (fast start, for streaming) and the
 * reproducibility record as the metadata comment. H.264 in 4:2:0 needs even sizes, so odd sizes are padded by one
 * pixel, repeating the last row or column.
 */
export async function writeMp4(clip: RgbaClip, outPath: string, options: { comment?: string } = {}): Promise<void> {
  if (clip.frames.length === 0) {
    throw new Error('An MP4 needs at least one frame.');
  }
  const encoded = await encodeH264(padToEvenSize(clip));
  await fs.promises.writeFile(outPath, await remuxWithComment(encoded, options.comment));
}

async function encodeH264(clip: RgbaClip): Promise<Uint8Array> {
  const encoderModule = createRequire(import.meta.url).resolve('h264-mp4-encoder');
  const worker = new Worker(ENCODER_WORKER, {
    eval: true,
    workerData: { encoderModule, width: clip.width, height: clip.height, fps: clip.fps, quantizer: QUANTIZER, keyframeInterval: Math.max(1, Math.round(clip.fps)), frames: clip.frames },
  });
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      worker.once('message', (bytes: Uint8Array) => resolve(bytes));
      worker.once('error', (error) => reject(new Error(`The H.264 encoder failed: ${error.message}`)));
      worker.once('exit', (code) => reject(new Error(`The H.264 encoder stopped (exit ${code}) before writing the MP4.`)));
    });
  } finally {
    await worker.terminate();
  }
}

/** The encoder's MP4, muxed again packet for packet with the index first and the comment tag. */
async function remuxWithComment(mp4: Uint8Array, comment: string | undefined): Promise<Uint8Array> {
  const input = new Input({ source: new BufferSource(mp4), formats: ALL_FORMATS });
  const target = new BufferTarget();
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target });
  const conversion = await Conversion.init({ input, output, tags: comment === undefined ? {} : { comment }, showWarnings: false });
  if (!conversion.isValid) {
    throw new Error(`The encoded MP4 cannot be remuxed: ${conversion.discardedTracks.map((track) => track.reason).join(', ')}.`);
  }
  await conversion.execute();
  if (!target.buffer) {
    throw new Error('The MP4 muxer wrote nothing.');
  }
  return new Uint8Array(target.buffer);
}

/** The clip with one more column and/or row where its width or height is odd, repeating the edge pixels. */
export function padToEvenSize(clip: RgbaClip): RgbaClip {
  const width = clip.width + (clip.width % 2);
  const height = clip.height + (clip.height % 2);
  if (width === clip.width && height === clip.height) {
    return clip;
  }
  const frames = clip.frames.map((frame) => {
    const padded = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) {
      const sourceRow = Math.min(y, clip.height - 1) * clip.width * 4;
      padded.set(frame.subarray(sourceRow, sourceRow + clip.width * 4), y * width * 4);
      if (width > clip.width) {
        padded.set(frame.subarray(sourceRow + (clip.width - 1) * 4, sourceRow + clip.width * 4), (y * width + clip.width) * 4);
      }
    }
    return padded;
  });
  return { width, height, fps: clip.fps, frames };
}
