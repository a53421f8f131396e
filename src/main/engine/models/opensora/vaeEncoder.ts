import { StudioError } from '@shared/ipc/errors';
import type { OpenSoraManifest } from '@shared/model/manifest';
import { requireFiniteOutputs } from '../../pipeline/numericCheck';
import { float32View, tensorData } from '../../runtime/types';
import type { PassResult, StreamUnit, UnitStreamer } from '../../streaming/unitStreamer';

export interface VaeEncodeRequest {
  /** RGB frames [F, H, W, 3], row-major, 0–255. */
  readonly frames: Uint8Array;
  readonly frameCount: number;
  /** Latent channels (the manifest's latent.channels). */
  readonly channels: number;
  /** Pixel height and width of every frame. */
  readonly height: number;
  readonly width: number;
  readonly signal?: AbortSignal;
}

export interface EncodedLatent {
  /** The normalized latent [1, C, T, h, w] (batch of one), in the space the sampler works in. */
  readonly latent: Float32Array;
  readonly channels: number;
  readonly latentFrames: number;
  readonly height: number;
  readonly width: number;
  readonly passes: PassResult[];
}

/**
 * uint8 → [−1, 1] as upstream's transforms do it in float32 (ToTensor / ToTensorVideo: v / 255, then
 * Normalize(0.5, 0.5): (x − 0.5) / 0.5; `opensora/datasets/utils.py`, v1.2.0), one entry per byte value.
 */
const PIXEL_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => Math.fround(Math.fround(v / 255) - 0.5) / 0.5);

/** Latent frames for F video frames: per chunk of `chunkFrames`, ⌈f / timeFactor⌉ (17 → 5, 51 → 15, 1 → 1). */
export function latentFramesFor(frameCount: number, chunkFrames: number, timeFactor: number): number {
  let latentFrames = 0;
  for (let first = 0; first < frameCount; first += chunkFrames) {
    latentFrames += Math.ceil(Math.min(chunkFrames, frameCount - first) / timeFactor);
  }
  return latentFrames;
}

/**
 * Open-Sora 1.2's video VAE encode in two streamed stages (models/FORMAT.md, "VAE encoder"; upstream
 * VideoAutoencoderPipeline.encode, `opensora/models/vae/vae.py` at v1.2.0): `vae.spatial_encoder` on `microBatch`
 * frames at a time (image-VAE latents × 0.18215), then `vae.temporal_encoder` on each chunk of `chunkFrames` of those
 * latents, zero-padded in front to a multiple of `timeFactor` as VAE_Temporal.encode does; the unit normalizes
 * ((z − shift) / scale). Both units return the posterior's mean where upstream samples it, so an encode is
 * deterministic. Every call is a pass of its own under the streamer's budget, as in the decoder; each stage's unit
 * is released when the stage is done, to leave room for what runs next.
 */
export async function encodeFrames(
  streamer: UnitStreamer,
  units: { spatial: StreamUnit; temporal: StreamUnit },
  vae: OpenSoraManifest['vae'],
  request: VaeEncodeRequest,
): Promise<EncodedLatent> {
  const { frames, frameCount, channels, height, width, signal } = request;
  const { spatialFactor, microBatch } = vae.spatial;
  const { chunkFrames, timeFactor } = vae.temporal;
  checkRequest(request, spatialFactor);
  const latentHeight = Math.floor(height / spatialFactor);
  const latentWidth = Math.floor(width / spatialFactor);
  const plane = latentHeight * latentWidth;
  const pixelPlane = height * width;
  const passes: PassResult[] = [];

  // Image-VAE latents of every frame, channel-major [C, F, h, w]: the layout the temporal stage reads in chunks.
  const frameLatents = new Float32Array(channels * frameCount * plane);
  for (let first = 0; first < frameCount; first += microBatch) {
    const count = Math.min(microBatch, frameCount - first);
    const input = new Float32Array(count * 3 * pixelPlane);
    for (let n = 0; n < count; n++) {
      const source = frames.subarray((first + n) * pixelPlane * 3, (first + n + 1) * pixelPlane * 3);
      for (let c = 0; c < 3; c++) {
        const target = (n * 3 + c) * pixelPlane;
        for (let p = 0; p < pixelPlane; p++) {
          input[target + p] = PIXEL_TO_UNIT[source[p * 3 + c]];
        }
      }
    }
    const pass = await streamer.runPass([units.spatial], () => ({ frames: tensorData('float32', [count, 3, height, width], input) }), { signal });
    passes.push(pass);
    const out = pass.outputs.x_z;
    if (!out || out.dims.length !== 4 || out.dims[0] !== count || out.dims[1] !== channels || out.dims[2] !== latentHeight || out.dims[3] !== latentWidth) {
      throw new StudioError(
        'MODEL_INVALID',
        `${units.spatial.id} gave ${out ? `[${out.dims.join(', ')}]` : 'no "x_z"'} for ${count} frames of ${width} × ${height}; expected [${count}, ${channels}, ${latentHeight}, ${latentWidth}].`,
      );
    }
    requireFiniteOutputs(pass.outputs, { stage: 'encode', unitId: units.spatial.id });
    const values = float32View(out);
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < channels; c++) {
        const from = (n * channels + c) * plane;
        frameLatents.set(values.subarray(from, from + plane), (c * frameCount + first + n) * plane);
      }
    }
  }
  // The image encoder is done for this job: make room for the temporal encoder.
  await streamer.releaseUnits([units.spatial.id]);

  const latentFrames = latentFramesFor(frameCount, chunkFrames, timeFactor);
  const latent = new Float32Array(channels * latentFrames * plane);
  let latentDone = 0;
  for (let first = 0; first < frameCount; first += chunkFrames) {
    const chunk = Math.min(chunkFrames, frameCount - first);
    const front = (timeFactor - (chunk % timeFactor)) % timeFactor;
    const padded = chunk + front;
    const chunkLatent = padded / timeFactor;
    // Zero frames in front (causal padding of the chunk), then the chunk's latents, per channel.
    const input = new Float32Array(channels * padded * plane);
    for (let c = 0; c < channels; c++) {
      const from = (c * frameCount + first) * plane;
      input.set(frameLatents.subarray(from, from + chunk * plane), (c * padded + front) * plane);
    }
    const pass = await streamer.runPass([units.temporal], () => ({ x_z: tensorData('float32', [1, channels, padded, latentHeight, latentWidth], input) }), { signal });
    passes.push(pass);
    const out = pass.outputs.z;
    if (!out || out.dims.length !== 5 || out.dims[0] !== 1 || out.dims[1] !== channels || out.dims[2] !== chunkLatent || out.dims[3] !== latentHeight || out.dims[4] !== latentWidth) {
      throw new StudioError(
        'MODEL_INVALID',
        `${units.temporal.id} gave ${out ? `[${out.dims.join(', ')}]` : 'no "z"'} for a chunk of ${chunk} frames (${front} padding in front); ` +
          `expected [1, ${channels}, ${chunkLatent}, ${latentHeight}, ${latentWidth}].`,
      );
    }
    requireFiniteOutputs(pass.outputs, { stage: 'encode', unitId: units.temporal.id });
    const values = float32View(out);
    for (let c = 0; c < channels; c++) {
      latent.set(values.subarray(c * chunkLatent * plane, (c + 1) * chunkLatent * plane), (c * latentFrames + latentDone) * plane);
    }
    latentDone += chunkLatent;
  }
  await streamer.releaseUnits([units.temporal.id]);
  return { latent, channels, latentFrames, height: latentHeight, width: latentWidth, passes };
}

function checkRequest(request: VaeEncodeRequest, spatialFactor: number): void {
  const { frames, frameCount, height, width } = request;
  for (const [name, value] of [['frameCount', frameCount], ['height', height], ['width', width]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new StudioError('INVALID_PARAMS', `The frames to encode need a positive whole ${name}; got ${value}.`);
    }
  }
  if (height < spatialFactor || width < spatialFactor) {
    throw new StudioError('INVALID_PARAMS', `Frames of ${width} × ${height} pixels are too small to encode: the VAE needs at least ${spatialFactor} × ${spatialFactor}.`);
  }
  const expected = frameCount * height * width * 3;
  if (frames.length !== expected) {
    throw new StudioError('INVALID_PARAMS', `The frames to encode hold ${frames.length} bytes; ${frameCount} RGB frames of ${width} × ${height} are ${expected}.`);
  }
}
