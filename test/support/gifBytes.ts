import * as gifencModule from 'gifenc';

type GifencApi = typeof gifencModule.default;
// gifenc is CommonJS: vitest exposes its functions as named exports, Node's ESM loader as a default export.
const namespace = gifencModule as unknown as Partial<GifencApi> & { default?: GifencApi };
const gifenc = typeof namespace.quantize === 'function' ? (namespace as GifencApi) : (namespace.default as GifencApi);

/**
 * A small animated GIF made synchronously with gifenc, for tests that need a GIF file on disk (the studio's own
 * encoder, engine/output/gifWriter.ts, is asynchronous: it runs in a worker thread).
 */
export function gifBytes(frames: readonly Uint8Array[], width: number, height: number, fps: number): Uint8Array {
  const all = new Uint8Array(frames.length * width * height * 4);
  frames.forEach((frame, index) => all.set(frame, index * width * height * 4));
  const palette = gifenc.quantize(all, 256);
  const encoder = gifenc.GIFEncoder();
  for (const frame of frames) {
    encoder.writeFrame(gifenc.applyPalette(frame, palette), width, height, { palette, delay: Math.round(1000 / fps), repeat: 0 });
  }
  encoder.finish();
  return encoder.bytes();
}
