import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import type { ClipSize } from '@shared/model/clipSize';
import type { OpenSoraManifest } from '@shared/model/manifest';
import { referenceFrameSupport } from '@shared/model/referenceFrames';
import type { ModelPackage } from '../../package/modelPackage';
import type { UnitStreamer } from '../../streaming/unitStreamer';
import { jobPasses } from '../streamUnits';
import { batchLatent, buildStepConstants, type StepConstants } from '../stdit3/denoiseFeeds';
import { runDenoiserPass } from '../stdit3/denoiserPass';
import type { DecodedVideo, EncodedFrames, OpenModelOptions, PreparedPrompt, TextConditioning, VelocityRequest, VelocityResult, VideoModel } from '../videoModel';
import { cropPlanes, padPlanes, paddedGridOf } from './latentPadding';
import { encodeT5Prompt } from './t5Encoder';
import { openSoraTextInput } from './text/openSoraTextInput';
import { loadT5Tokenizer, T5TokenizerError, type T5Tokenizer, type T5TokenizerOptions } from './text/t5Tokenizer';
import { decodeVideo } from './vaeDecoder';
import { encodeFrames } from './vaeEncoder';

/**
 * Open-Sora 1.2 imported from its published checkpoints (models/FORMAT.md, "Open-Sora 1.2 packages"): T5 v1.1
 * with its SentencePiece tokenizer and Open-Sora's prompt preparation, the STDiT3 units of the built-in
 * architecture at the chosen clip size (latent padded to even H/W, position table for the padded grid, preset
 * pixel size and fps as conditioning), and the video VAE in two streamed stages.
 */
export async function openOpenSoraModel(pkg: ModelPackage & { manifest: OpenSoraManifest }, clip: ClipSize, options: OpenModelOptions = {}): Promise<VideoModel> {
  const { manifest } = pkg;
  const spec = manifest.text.tokenizer;
  if (spec.kind !== 'sentencepiece') {
    throw new StudioError('MODEL_INVALID', `Model ${manifest.id}: Open-Sora 1.2 reads T5's spiece.model; its tokenizer is "${spec.kind}".`);
  }
  const aestheticScore = aestheticScoreOf(spec.promptSuffix, manifest.id);
  const tokenizer = await tokenizerFor(path.join(pkg.dir, spec.modelFile), { maxTokens: spec.maxTokens, expectedIds: { padId: spec.padId, endId: spec.endId } });
  const passesFor = jobPasses(pkg, clip, options.staticShapes);
  // The caption length of the latest prompt: its static-shape units are the ones kept warm after the job.
  let textTokens = spec.maxTokens;
  const { denoiser } = manifest;
  const latent = clip.latent;
  const grid = paddedGridOf(latent.height, latent.width, { height: denoiser.patchSize[1], width: denoiser.patchSize[2] });
  const geometry = {
    latent: { channels: latent.channels, frames: latent.frames, height: grid.paddedHeight, width: grid.paddedWidth },
    heightPx: clip.conditioningHeight,
    widthPx: clip.conditioningWidth,
    conditioningFps: clip.conditioningFps,
  };
  let constantsFor: { conditioning: TextConditioning; constants: StepConstants } | null = null;
  const stepConstants = (conditioning: TextConditioning): StepConstants => {
    if (constantsFor?.conditioning !== conditioning) {
      constantsFor = { conditioning, constants: buildStepConstants(denoiser, geometry, conditioning.captions, conditioning.tokenCount) };
    }
    return constantsFor.constants;
  };
  const referenceFrames = referenceFrameSupport(manifest);
  // Units that take the frame mask are always fed one (all True: every frame generated, as without conditioning).
  const allGenerated = new Uint8Array(latent.frames).fill(1);
  const encoder = manifest.vae.encoder;

  return {
    manifest,
    clip,
    get passes() {
      return passesFor(textTokens);
    },
    latentShape: { ...latent },
    velocityChannels: denoiser.outChannels,
    preview: manifest.preview,
    referenceFrames,

    tokenize(prompt: string): PreparedPrompt {
      const input = openSoraTextInput(tokenizer, prompt, { aestheticScore });
      const warnings: string[] = [];
      if (input.tokens.truncated) {
        warnings.push(`The prompt was cut to ${spec.maxTokens - 1} tokens (T5 reads at most ${spec.maxTokens}, the end token included).`);
      }
      if (input.tokens.unknownWords.length > 0) {
        warnings.push(`Characters the tokenizer does not know were read as <unk>: ${[...new Set(input.tokens.unknownWords)].join(' ')}.`);
      }
      return { text: input.promptText, ids: input.tokens.ids, mask: input.tokens.mask, length: input.tokens.length, warnings };
    },

    encodeText(streamer, prompt, signal) {
      textTokens = prompt.length;
      return encodeT5Prompt(streamer, passesFor(textTokens).text, pkg, prompt, signal);
    },

    async predictVelocity(streamer: UnitStreamer, request: VelocityRequest): Promise<VelocityResult> {
      const batch = batchLatent(request.latent);
      textTokens = request.conditioning.tokenCount;
      const passes = passesFor(textTokens);
      const result = await runDenoiserPass(streamer, request.merged ? passes.denoiserMerged : passes.denoiser, denoiser, {
        constants: stepConstants(request.conditioning),
        latentBatch: padPlanes(batch, 2 * latent.channels * latent.frames, grid),
        timestep: request.timestep,
        merged: request.merged,
        frameMask: referenceFrames.supported ? (request.frameMask ?? allGenerated) : null,
        step: request.step,
        signal: request.signal,
      });
      return { velocity: cropPlanes(result.velocity, 2 * denoiser.outChannels * latent.frames, grid), pass: result.pass };
    },

    async encodeFrames(streamer, frames, frameCount, signal): Promise<EncodedFrames> {
      if (!referenceFrames.supported || !encoder) {
        throw new StudioError('INVALID_PARAMS', referenceFrames.supported ? `Model ${manifest.id} has no VAE encoder.` : referenceFrames.reason);
      }
      // The job's encoder pass (unitPasses: spatial, then temporal), budgeted with the other passes.
      const [spatial, temporal] = passesFor(textTokens).encoder;
      const encoded = await encodeFrames(streamer, { spatial, temporal }, manifest.vae, {
        frames,
        frameCount,
        channels: latent.channels,
        height: clip.conditioningHeight,
        width: clip.conditioningWidth,
        signal,
      });
      if (encoded.height !== latent.height || encoded.width !== latent.width) {
        throw new StudioError('MODEL_INVALID', `The VAE encoder gave a ${encoded.width} × ${encoded.height} latent for the clip's ${latent.width} × ${latent.height}.`);
      }
      return { latent: encoded.latent, latentFrames: encoded.latentFrames, passes: encoded.passes };
    },

    decode(streamer, finalLatent, signal): Promise<DecodedVideo> {
      const [temporal, spatial] = passesFor(textTokens).decoder;
      return decodeVideo(streamer, { temporal, spatial }, manifest.vae, {
        latent: finalLatent,
        channels: latent.channels,
        latentFrames: latent.frames,
        height: latent.height,
        width: latent.width,
        frames: clip.frames,
        signal,
      });
    },
  };
}

/**
 * One tokenizer per model file, size, time and options for the engine process: every job opens the model again,
 * and a SentencePiece instance holds its own WebAssembly memory, so a warm engine must not make one per job.
 */
const tokenizers = new Map<string, Promise<T5Tokenizer>>();

function tokenizerFor(modelPath: string, options: T5TokenizerOptions): Promise<T5Tokenizer> {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(modelPath);
  } catch (error) {
    return Promise.reject(new StudioError('MODEL_INVALID', `Cannot read the T5 tokenizer model ${modelPath}: ${(error as Error).message}`));
  }
  const key = JSON.stringify([modelPath, stats.size, stats.mtimeMs, options]);
  let loading = tokenizers.get(key);
  if (!loading) {
    loading = loadT5Tokenizer(modelPath, options).catch((error: unknown) => {
      tokenizers.delete(key);
      throw new StudioError('MODEL_INVALID', error instanceof T5TokenizerError ? error.message : `Cannot load ${modelPath}: ${(error as Error).message}`);
    });
    tokenizers.set(key, loading);
  }
  return loading;
}

/** The score in the manifest's " aesthetic score: X." suffix (null: no suffix is appended). */
function aestheticScoreOf(suffix: string | undefined, modelId: string): number | null {
  if (suffix === undefined) {
    return null;
  }
  const match = /^ aesthetic score: (\d+(?:\.\d+)?)\.$/.exec(suffix);
  if (!match) {
    throw new StudioError('MODEL_INVALID', `Model ${modelId}: promptSuffix ${JSON.stringify(suffix)} is not " aesthetic score: X.X." (Open-Sora's prompt preparation).`);
  }
  return Number(match[1]);
}
