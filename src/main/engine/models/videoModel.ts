import type { ClipSize } from '@shared/model/clipSize';
import type { PackageManifest } from '@shared/model/manifest';
import type { ReferenceFrameSupport } from '@shared/model/referenceFrames';
import type { UnitPasses } from '@shared/model/unitPasses';
import type { LatentPreviewProjection } from '../sampler/preview';
import type { LatentShape } from '../sampler';
import type { PassResult, StreamUnit, UnitStreamer } from '../streaming/unitStreamer';

/**
 * One model architecture behind the pipeline. The pipeline (generateVideo) owns the stages, the sampler (CFG,
 * Euler steps, LPL), events, timing and cancellation; an architecture owns its tokenizer, its units' tensor names
 * and feeds, and how its decoder is chunked. Every ONNX session belongs to the UnitStreamer it is given.
 */
export interface VideoModel {
  readonly manifest: PackageManifest;
  /** The clip this instance makes (the latent shape, conditioning and decoder output follow from it). */
  readonly clip: ClipSize;
  /** The unit list of each pass, for the memory plan and the streamer. */
  readonly passes: UnitPasses<StreamUnit>;
  /** The latent the sampler integrates (one sample; the CFG batch is the model's business). */
  readonly latentShape: LatentShape;
  /** Channels per sample of the velocity output (the first latentShape.channels are the velocity). */
  readonly velocityChannels: number;
  readonly preview: LatentPreviewProjection;
  /** Whether it can condition on reference frames (then `encodeFrames` exists and requests may carry a frame mask). */
  readonly referenceFrames: ReferenceFrameSupport;

  /** The prompt as the text encoder reads it: preparation, token ids, mask, warnings for the user. */
  tokenize(prompt: string): PreparedPrompt;
  /** Runs the text encoder once; the result conditions every denoising step of a job. */
  encodeText(streamer: UnitStreamer, prompt: PreparedPrompt, signal?: AbortSignal): Promise<TextConditioning>;
  /** The CFG-batched velocity [2, velocityChannels, T, H, W] at one step (TDTM units when `merged`). */
  predictVelocity(streamer: UnitStreamer, request: VelocityRequest): Promise<VelocityResult>;
  /** RGB frames [F, Hpx, Wpx, 3] at the clip's pixel size → latent frames in the sampler's space (reference frames). */
  encodeFrames?(streamer: UnitStreamer, frames: Uint8Array, frameCount: number, signal?: AbortSignal): Promise<EncodedFrames>;
  /** The final latent → RGB video in [-1, 1], [3, F, H, W] float32. */
  decode(streamer: UnitStreamer, latent: Float32Array, signal?: AbortSignal): Promise<DecodedVideo>;
}

export interface PreparedPrompt {
  /** The text after the architecture's preparation (what the tokenizer saw). */
  readonly text: string;
  /** Token ids fed to the encoder, padded to the encoder's length. */
  readonly ids: BigInt64Array;
  /** 1 for real tokens, 0 for padding. */
  readonly mask: Uint8Array;
  /** Real tokens, end token included. */
  readonly length: number;
  readonly warnings: readonly string[];
}

export interface TextConditioning {
  /** Opaque to the pipeline: what the architecture's denoiser needs from the text. */
  readonly captions: Float32Array;
  readonly tokenCount: number;
  readonly pass: PassResult;
}

export interface VelocityRequest {
  readonly conditioning: TextConditioning;
  /** The current latent, one sample [C, T, H, W]. */
  readonly latent: Float32Array;
  readonly timestep: number;
  /** The step's index, for messages (a unit that produced NaN is named with its step). */
  readonly step: number;
  readonly merged: boolean;
  /** Per latent frame, 1 = generate at `timestep`, 0 = reference (timestep-0 modulation); absent: all generated. */
  readonly frameMask?: Uint8Array;
  readonly signal?: AbortSignal;
}

export interface EncodedFrames {
  /** [C, latentFrames, H, W] at the model's latent grid. */
  readonly latent: Float32Array;
  readonly latentFrames: number;
  readonly passes: readonly PassResult[];
}

export interface VelocityResult {
  readonly velocity: Float32Array;
  readonly pass: PassResult;
}

export interface DecodedVideo {
  readonly video: Float32Array;
  readonly frames: number;
  readonly height: number;
  readonly width: number;
  readonly passes: readonly PassResult[];
}

export interface OpenModelOptions {
  /** Sessions with static shapes for the clip (default: where the CoreML EP runs them, runtime/sessionOptions.ts). */
  readonly staticShapes?: boolean;
}
