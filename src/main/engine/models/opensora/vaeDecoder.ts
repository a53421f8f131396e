import { requireFiniteOutputs } from '../../pipeline/numericCheck';
import { StudioError } from '@shared/ipc/errors';
import type { OpenSoraManifest } from '@shared/model/manifest';
import { float32View, tensorData } from '../../runtime/types';
import type { PassResult, StreamUnit, UnitStreamer } from '../../streaming/unitStreamer';
import type { DecodedVideo } from '../videoModel';

export interface VaeDecodeRequest {
  /** The final latent [C, T, H, W] (unpadded). */
  readonly latent: Float32Array;
  readonly channels: number;
  readonly latentFrames: number;
  readonly height: number;
  readonly width: number;
  /** Video frames F the latent stands for. */
  readonly frames: number;
  readonly signal?: AbortSignal;
}

/**
 * Open-Sora 1.2's video VAE decode in two streamed stages (models/FORMAT.md, "VAE"; upstream
 * VideoAutoencoderPipeline.decode): `vae.temporal` on each chunk of `chunkLatentFrames` latent frames, dropping
 * the front frames the causal padding made, then `vae.spatial` on `microBatch` frames at a time. Every call is a
 * pass of its own, so the streamer loads each unit under the budget like any other and keeps it between calls
 * when the budget allows.
 */
export async function decodeVideo(
  streamer: UnitStreamer,
  units: { temporal: StreamUnit; spatial: StreamUnit },
  vae: OpenSoraManifest['vae'],
  request: VaeDecodeRequest,
): Promise<DecodedVideo> {
  const { channels, latentFrames, height, width, frames, signal } = request;
  const plane = height * width;
  const passes: PassResult[] = [];
  // Image-VAE latents of every frame, frame-major [F, C, H, W]: the layout the spatial stage reads in slices.
  const frameLatents = new Float32Array(frames * channels * plane);
  let framesDone = 0;
  const { chunkLatentFrames, chunkFrames, timeFactor } = vae.temporal;
  for (let chunk = 0, first = 0; first < latentFrames; chunk++, first += chunkLatentFrames) {
    const chunkLatent = Math.min(chunkLatentFrames, latentFrames - first);
    const chunkVideoFrames = Math.min(chunkFrames, frames - chunk * chunkFrames);
    const z = new Float32Array(channels * chunkLatent * plane);
    for (let c = 0; c < channels; c++) {
      const from = (c * latentFrames + first) * plane;
      z.set(request.latent.subarray(from, from + chunkLatent * plane), c * chunkLatent * plane);
    }
    const pass = await streamer.runPass([chunkUnit(units.temporal, chunkLatent)], () => ({ z: tensorData('float32', [1, channels, chunkLatent, height, width], z) }), { signal });
    passes.push(pass);
    const out = pass.outputs.x_z;
    const outFrames = out?.dims[2] ?? 0;
    const dropped = (timeFactor - (chunkVideoFrames % timeFactor)) % timeFactor;
    if (!out || out.dims.length !== 5 || outFrames - dropped !== chunkVideoFrames || out.dims[3] !== height || out.dims[4] !== width) {
      throw new StudioError(
        'MODEL_INVALID',
        `${units.temporal.id} gave ${out ? `[${out.dims.join(', ')}]` : 'no "x_z"'} for ${chunkLatent} latent frames; ` +
          `expected [1, ${channels}, ${chunkVideoFrames + dropped}, ${height}, ${width}] (${chunkVideoFrames} frames after dropping ${dropped}).`,
      );
    }
    requireFiniteOutputs(pass.outputs, { stage: 'decode', unitId: units.temporal.id });
    const values = float32View(out);
    for (let f = 0; f < chunkVideoFrames; f++) {
      for (let c = 0; c < channels; c++) {
        const from = (c * outFrames + dropped + f) * plane;
        frameLatents.set(values.subarray(from, from + plane), ((framesDone + f) * channels + c) * plane);
      }
    }
    framesDone += chunkVideoFrames;
  }
  if (framesDone !== frames) {
    throw new StudioError('MODEL_INVALID', `The latent's ${latentFrames} frames decode to ${framesDone} video frames, not ${frames}.`);
  }
  // The temporal decoder is done for this job: make room for the image decoder.
  await streamer.releaseUnits([units.temporal.id]);

  const pixelHeight = height * vae.spatial.spatialFactor;
  const pixelWidth = width * vae.spatial.spatialFactor;
  const pixelPlane = pixelHeight * pixelWidth;
  const video = new Float32Array(3 * frames * pixelPlane);
  // A static-shape session (CoreML) takes exactly N frames: a shorter last micro-batch is padded with zero latents,
  // whose frames are dropped (the image decoder treats every frame on its own).
  const staticBatch = units.spatial.freeDimensionOverrides?.N;
  for (let first = 0; first < frames; first += vae.spatial.microBatch) {
    const count = Math.min(vae.spatial.microBatch, frames - first);
    const fed = Math.max(count, staticBatch ?? 0);
    const xz = new Float32Array(fed * channels * plane);
    xz.set(frameLatents.subarray(first * channels * plane, (first + count) * channels * plane));
    const pass = await streamer.runPass([units.spatial], () => ({ x_z: tensorData('float32', [fed, channels, height, width], xz) }), { signal });
    passes.push(pass);
    const out = pass.outputs.frames;
    if (!out || out.dims.length !== 4 || out.dims[0] !== fed || out.dims[1] !== 3 || out.dims[2] !== pixelHeight || out.dims[3] !== pixelWidth) {
      throw new StudioError(
        'MODEL_INVALID',
        `${units.spatial.id} gave ${out ? `[${out.dims.join(', ')}]` : 'no "frames"'}; expected [${fed}, 3, ${pixelHeight}, ${pixelWidth}].`,
      );
    }
    requireFiniteOutputs(pass.outputs, { stage: 'decode', unitId: units.spatial.id });
    const values = float32View(out);
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < 3; c++) {
        const from = (n * 3 + c) * pixelPlane;
        video.set(values.subarray(from, from + pixelPlane), (c * frames + first + n) * pixelPlane);
      }
    }
  }
  return { video, frames, height: pixelHeight, width: pixelWidth, passes };
}

/**
 * The temporal decoder for a chunk of `latentFrames`: a static-shape unit sized for full chunks gets a session of
 * the shorter last chunk's size (its GroupNorms pool over time, so a chunk cannot be padded).
 */
function chunkUnit(unit: StreamUnit, latentFrames: number): StreamUnit {
  const overrides = unit.freeDimensionOverrides;
  return overrides?.Tz === undefined || overrides.Tz === latentFrames ? unit : { ...unit, freeDimensionOverrides: { ...overrides, Tz: latentFrames } };
}
