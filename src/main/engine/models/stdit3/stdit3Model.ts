import { StudioError } from '@shared/ipc/errors';
import type { ClipSize } from '@shared/model/clipSize';
import type { ModelManifest } from '@shared/model/manifest';
import { referenceFrameSupport } from '@shared/model/referenceFrames';
import type { ModelPackage } from '../../package/modelPackage';
import { requireFiniteOutputs } from '../../pipeline/numericCheck';
import { float32View, tensorData } from '../../runtime/types';
import type { UnitStreamer } from '../../streaming/unitStreamer';
import { createWordTokenizer } from '../../text/wordTokenizer';
import { jobPasses } from '../streamUnits';
import type { DecodedVideo, OpenModelOptions, PreparedPrompt, TextConditioning, VelocityRequest, VelocityResult, VideoModel } from '../videoModel';
import { batchLatent, buildStepConstants, type StepConstants } from './denoiseFeeds';
import { runDenoiserPass } from './denoiserPass';
import { encodePrompt } from './textEncoder';

/**
 * The built-in architecture (models/FORMAT.md): a word-level text encoder, an STDiT3 denoiser split into an
 * embedder, spatial+temporal block pairs (each with a TDTM variant sharing its weights) and a final layer, and a
 * one-unit decoder. The CFG batch is [conditional, null caption]. It makes its native clip only.
 */
export function openStdit3Model(pkg: ModelPackage & { manifest: ModelManifest }, clip: ClipSize, options: OpenModelOptions = {}): VideoModel {
  const { manifest } = pkg;
  const tokenizerSpec = manifest.text.tokenizer;
  if (tokenizerSpec.kind !== 'word' || !pkg.vocabulary) {
    throw new StudioError('MODEL_INVALID', `Model ${manifest.id}: the stdit3 architecture reads a word vocabulary; its tokenizer is "${tokenizerSpec.kind}".`);
  }
  const tokenize = createWordTokenizer({ ...tokenizerSpec, vocabulary: pkg.vocabulary });
  const passesFor = jobPasses(pkg, clip, options.staticShapes);
  // The caption length of the latest prompt: its static-shape units are the ones kept warm after the job.
  let textTokens = tokenizerSpec.maxTokens;
  const geometry = { latent: manifest.latent, heightPx: clip.conditioningHeight, widthPx: clip.conditioningWidth, conditioningFps: clip.conditioningFps };
  // Step constants depend on the conditioning only through its token count and captions: built once per job.
  let constantsFor: { conditioning: TextConditioning; constants: StepConstants } | null = null;
  const stepConstants = (conditioning: TextConditioning): StepConstants => {
    if (constantsFor?.conditioning !== conditioning) {
      constantsFor = { conditioning, constants: buildStepConstants(manifest.denoiser, geometry, conditioning.captions, conditioning.tokenCount) };
    }
    return constantsFor.constants;
  };

  return {
    manifest,
    clip,
    get passes() {
      return passesFor(textTokens);
    },
    latentShape: { ...manifest.latent },
    velocityChannels: manifest.denoiser.outChannels,
    preview: manifest.preview,
    referenceFrames: referenceFrameSupport(manifest),

    tokenize(prompt: string): PreparedPrompt {
      const tokens = tokenize(prompt);
      const warnings: string[] = [];
      if (tokens.unknownWords.length > 0) {
        warnings.push(`Words the model does not know were ignored: ${[...new Set(tokens.unknownWords)].join(', ')}.`);
      }
      if (tokens.truncated) {
        warnings.push(`The prompt was truncated to ${tokenizerSpec.maxTokens - 1} words (the model reads at most that many).`);
      }
      return { text: tokens.words.join(' '), ids: tokens.ids, mask: tokens.mask, length: tokens.length, warnings };
    },

    encodeText(streamer, prompt, signal) {
      return encodePrompt(streamer, passesFor(textTokens).text, pkg, prompt, signal);
    },

    predictVelocity(streamer: UnitStreamer, request: VelocityRequest): Promise<VelocityResult> {
      if (request.frameMask?.includes(0)) {
        throw new StudioError('INVALID_PARAMS', `Model ${manifest.id} cannot hold reference frames: its denoiser has no frame mask.`);
      }
      textTokens = request.conditioning.tokenCount;
      const passes = passesFor(textTokens);
      return runDenoiserPass(streamer, request.merged ? passes.denoiserMerged : passes.denoiser, manifest.denoiser, {
        constants: stepConstants(request.conditioning),
        latentBatch: batchLatent(request.latent),
        timestep: request.timestep,
        merged: request.merged,
        frameMask: null,
        step: request.step,
        signal: request.signal,
      });
    },

    async decode(streamer, latent, signal): Promise<DecodedVideo> {
      const { channels, frames, height, width } = manifest.latent;
      const { decoder } = passesFor(textTokens);
      const pass = await streamer.runPass(decoder, () => ({ z: tensorData('float32', [1, channels, frames, height, width], latent.slice()) }), { signal });
      const video = pass.outputs.video;
      if (!video || video.dims.length !== 5) {
        throw new StudioError('MODEL_INVALID', 'The decoder produced no [1, 3, F, H, W] "video" output.');
      }
      requireFiniteOutputs(pass.outputs, { stage: 'decode', unitId: decoder[decoder.length - 1].id });
      return { video: float32View(video), frames: video.dims[2], height: video.dims[3], width: video.dims[4], passes: [pass] };
    },
  };
}
