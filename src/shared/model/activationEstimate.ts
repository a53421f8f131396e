import type { ModelManifest } from './manifest';

const FLOAT_BYTES = 4;
/** The CFG batch: every denoiser call runs the conditional and the null-caption sample together. */
const CFG_BATCH = 2;
/** STDiT3's MLP widens the hidden size by this ratio (mlp_ratio 4 in Open-Sora 1.2's STDiT3-XL/2). */
const MLP_RATIO = 4;

export interface ClipSize {
  readonly frames: number;
  readonly height: number;
  readonly width: number;
}

/**
 * Bytes a pass needs besides its units' weights while one unit runs: its input and output activations plus the
 * largest intermediate the unit makes (attention scores, the MLP's wide layer, the decoder's widest feature map).
 * An estimate from the manifest's sizes for a clip, so the memory plan can hold in measured RSS; the runtime's
 * allocator may keep somewhat more, which the measured baseline covers (docs/techniques.md §CI-DL).
 */
export interface ActivationEstimate {
  readonly textBytes: number;
  readonly denoiserBytes: number;
  readonly decoderBytes: number;
  /** The largest of the three: one pass runs at a time. */
  readonly peakBytes: number;
}

export function estimateActivationBytes(manifest: ModelManifest, clip: ClipSize = manifest.native): ActivationEstimate {
  const textBytes = textEncoderBytes(manifest.text.hiddenSize, manifest.text.tokenizer.maxTokens, 1);
  const denoiserBytes = stdit3Bytes(manifest, clip);
  const decoderBytes = decoderOutputBytes(manifest, clip);
  return { textBytes, denoiserBytes, decoderBytes, peakBytes: Math.max(textBytes, denoiserBytes, decoderBytes) };
}

/** One transformer block over L tokens of width D: in, out, q/k/v, the L×L scores per head, the MLP's wide layer. */
function textEncoderBytes(hidden: number, tokens: number, batch: number): number {
  const heads = Math.max(1, Math.round(hidden / 64));
  const tokenBytes = batch * tokens * hidden * FLOAT_BYTES;
  const scores = batch * heads * tokens * tokens * FLOAT_BYTES;
  return 5 * tokenBytes + Math.max(scores, MLP_RATIO * tokenBytes);
}

/** A spatial+temporal block pair over the CFG batch: the largest of spatial scores, temporal scores, cross-attention scores and the MLP. */
function stdit3Bytes(manifest: ModelManifest, clip: ClipSize): number {
  const { denoiser, latent } = manifest;
  const temporalFactor = manifest.native.frames / latent.frames;
  const spatialFactor = manifest.native.height / latent.height;
  const frames = Math.max(1, Math.round(clip.frames / temporalFactor));
  const spatialTokens = Math.ceil(clip.height / spatialFactor / denoiser.patchSize[1]) * Math.ceil(clip.width / spatialFactor / denoiser.patchSize[2]);
  const tokens = frames * spatialTokens;
  const hidden = denoiser.hiddenSize;
  const heads = denoiser.numHeads;
  const tokenBytes = CFG_BATCH * tokens * hidden * FLOAT_BYTES;
  const spatialScores = CFG_BATCH * heads * frames * spatialTokens * spatialTokens * FLOAT_BYTES;
  const temporalScores = CFG_BATCH * heads * spatialTokens * frames * frames * FLOAT_BYTES;
  const crossScores = CFG_BATCH * heads * tokens * denoiser.modelMaxLength * FLOAT_BYTES;
  // x in and out, q, k, v, and the attention output feed the widest intermediate.
  return 6 * tokenBytes + Math.max(spatialScores, temporalScores, crossScores, MLP_RATIO * tokenBytes);
}

/**
 * The built-in decoder's last stage works at the output resolution with 32 channels (models/config/decoder.json):
 * a convolution's input and output there, plus the latent in and the video out.
 */
const DECODER_FULL_RESOLUTION_CHANNELS = 32;

function decoderOutputBytes(manifest: ModelManifest, clip: ClipSize): number {
  const pixels = clip.frames * clip.height * clip.width;
  const video = 3 * pixels * FLOAT_BYTES;
  const latentBytes = manifest.latent.channels * manifest.latent.frames * manifest.latent.height * manifest.latent.width * FLOAT_BYTES;
  return latentBytes + video + 2 * DECODER_FULL_RESOLUTION_CHANNELS * pixels * FLOAT_BYTES;
}
