import * as gifencModule from 'gifenc';
import type { RgbaClip } from './frames';

type GifencApi = typeof gifencModule.default;

/** Encodes a looping animated GIF; one shared 256-colour palette keeps colours stable across frames. */
export function encodeGif(clip: RgbaClip): Uint8Array {
  const { applyPalette, GIFEncoder, quantize } = gifencApi();
  const all = new Uint8ClampedArray(clip.frames.length * clip.width * clip.height * 4);
  clip.frames.forEach((frame, index) => all.set(frame, index * frame.length));
  const palette = quantize(all, 256);
  const encoder = GIFEncoder();
  const delayMs = Math.round(1000 / clip.fps);
  for (const frame of clip.frames) {
    encoder.writeFrame(applyPalette(frame, palette), clip.width, clip.height, { palette, delay: delayMs, repeat: 0 });
  }
  encoder.finish();
  return encoder.bytes();
}

/** gifenc is CommonJS: Node's ESM loader exposes it as a default export, bundlers and vitest as named exports. */
function gifencApi(): GifencApi {
  const namespace = gifencModule as unknown as Partial<GifencApi> & { default?: GifencApi };
  return typeof namespace.quantize === 'function' ? (namespace as GifencApi) : (namespace.default as GifencApi);
}
