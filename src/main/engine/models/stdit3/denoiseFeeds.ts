import type { DenoiserSpec } from '@shared/model/manifest';
import { computePosEmbed2d, computeRopeTables, mergedFrameCount, patchGridOf } from '../../sampler';
import { tensorData, type TensorData } from '../../runtime/types';

/** Inputs of the denoiser units that do not change between steps (models/FORMAT.md, "Denoiser"). */
export interface StepConstants {
  posEmb: Float32Array;
  ropeFull: { cos: Float32Array; sin: Float32Array };
  ropeMerged: { cos: Float32Array; sin: Float32Array };
  fps: Float32Array;
  captions: Float32Array;
  captionBias: Float32Array;
  tokenCount: number;
  latentDims: [number, number, number, number, number];
}

/** The latent grid the denoiser units see and the clip they are conditioned on. */
export interface DenoiserGeometry {
  /** Latent [C, T, H, W] as fed to the units (H, W already padded to the patch size). */
  readonly latent: { readonly channels: number; readonly frames: number; readonly height: number; readonly width: number };
  /** The clip's pixel size: the position-embedding scale reads it (upstream STDiT3's height/width). */
  readonly heightPx: number;
  readonly widthPx: number;
  /** What the fps embedder sees. */
  readonly conditioningFps: number;
}

export function buildStepConstants(denoiser: DenoiserSpec, geometry: DenoiserGeometry, captions: Float32Array, tokenCount: number): StepConstants {
  const { latent } = geometry;
  const grid = patchGridOf(latent.height, latent.width, { height: denoiser.patchSize[1], width: denoiser.patchSize[2] });
  const headDim = denoiser.hiddenSize / denoiser.numHeads;
  return {
    posEmb: computePosEmbed2d({ grid, hiddenSize: denoiser.hiddenSize, heightPx: geometry.heightPx, widthPx: geometry.widthPx, inputSqSize: denoiser.inputSqSize }),
    ropeFull: computeRopeTables({ positions: latent.frames, headDim }),
    // On merged steps the T/2 groups take positions 0 … ceil(T/2) − 1, as in the authors' code (docs/techniques.md §Decisions, D5).
    ropeMerged: computeRopeTables({ positions: mergedFrameCount(latent.frames), headDim }),
    fps: new Float32Array([geometry.conditioningFps, geometry.conditioningFps]),
    captions,
    captionBias: new Float32Array(2 * tokenCount),
    tokenCount,
    latentDims: [2, latent.channels, latent.frames, latent.height, latent.width],
  };
}

/** z duplicated for the CFG batch: [2, C, T, H, W]. */
export function batchLatent(latent: Float32Array): Float32Array {
  const out = new Float32Array(latent.length * 2);
  out.set(latent, 0);
  out.set(latent, latent.length);
  return out;
}

export function embedderFeeds(constants: StepConstants, latentBatch: Float32Array, timestep: number, hiddenSize: number): Record<string, TensorData> {
  const tokensPerFrame = constants.posEmb.length / hiddenSize;
  return {
    z: tensorData('float32', constants.latentDims, latentBatch.slice()),
    timestep: tensorData('float32', [2], new Float32Array([timestep, timestep])),
    fps: tensorData('float32', [2], constants.fps.slice()),
    pos_emb: tensorData('float32', [1, tokensPerFrame, hiddenSize], constants.posEmb.slice()),
    y: tensorData('float32', [2, constants.tokenCount, constants.captions.length / (2 * constants.tokenCount)], constants.captions.slice()),
  };
}

export function ropeFeeds(constants: StepConstants, merged: boolean, headDim: number): Record<string, TensorData> {
  const table = merged ? constants.ropeMerged : constants.ropeFull;
  const rows = table.cos.length / headDim;
  return {
    rope_cos: tensorData('float32', [rows, headDim], table.cos.slice()),
    rope_sin: tensorData('float32', [rows, headDim], table.sin.slice()),
    y_bias: tensorData('float32', [2, constants.tokenCount], constants.captionBias.slice()),
  };
}
