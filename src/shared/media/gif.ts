import * as gifencModule from 'gifenc';

type GifencApi = typeof gifencModule.default;

/** gifenc is CommonJS: Node's ESM loader exposes it as a default export, bundlers and vitest as named exports. */
function gifencApi(): GifencApi {
  const namespace = gifencModule as unknown as Partial<GifencApi> & { default?: GifencApi };
  return typeof namespace.quantize === 'function' ? (namespace as GifencApi) : (namespace.default as GifencApi);
}

/**
 * A looping animated GIF from RGBA frames of one size; one shared 256-colour palette keeps colours steady across
 * frames. Used by the engine's outputs and the UI's export alike.
 */
export function encodeGif(frames: ReadonlyArray<Uint8Array | Uint8ClampedArray>, width: number, height: number, fps: number): Uint8Array {
  const { applyPalette, GIFEncoder, quantize } = gifencApi();
  const frameBytes = width * height * 4;
  const all = new Uint8Array(frames.length * frameBytes);
  frames.forEach((frame, index) => all.set(frame, index * frameBytes));
  const palette = quantize(all, 256);
  const encoder = GIFEncoder();
  const delayMs = Math.round(1000 / fps);
  for (const frame of frames) {
    encoder.writeFrame(applyPalette(frame, palette), width, height, { palette, delay: delayMs, repeat: 0 });
  }
  encoder.finish();
  return encoder.bytes();
}
