import path from 'node:path';
import { StudioError } from '../../../../shared/ipc/errors';
import type { ModelUnit } from '../../../../shared/model/manifest';
import { manifestPasses } from '../../../../shared/model/manifestUnits';
import type { PipelinePasses } from '../../../../shared/model/pipelineBudget';
import type { ModelPackage } from '../../package/modelPackage';
import { checkedFeeds, requireFiniteOutputs } from '../../pipeline/numericCheck';
import { float32View, tensorData, type TensorData, type TensorMap } from '../../runtime/types';
import type { StreamUnit, UnitStreamer } from '../../streaming/unitStreamer';
import { createWordTokenizer } from '../../text/wordTokenizer';
import type { DecodedVideo, PreparedPrompt, TextConditioning, VelocityRequest, VelocityResult, VideoModel } from '../videoModel';
import { batchLatent, buildStepConstants, embedderFeeds, ropeFeeds, type StepConstants } from './denoiseFeeds';
import { encodePrompt } from './textEncoder';

/** Feeds that every unit of a denoiser pass reuses: copied to each worker, not transferred. */
const SHARED_DENOISER_FEEDS = ['y_tok', 't_mlp', 't_emb', 'rope_cos', 'rope_sin', 'y_bias'];

/**
 * The built-in architecture (models/FORMAT.md): a word-level text encoder, an STDiT3 denoiser split into an
 * embedder, spatial+temporal block pairs (each with a TDTM variant sharing its weights) and a final layer, and a
 * one-unit decoder. The CFG batch is [conditional, null caption].
 */
export function openStdit3Model(pkg: ModelPackage): VideoModel {
  const { manifest } = pkg;
  const tokenizerSpec = manifest.text.tokenizer;
  if (tokenizerSpec.kind !== 'word' || !pkg.vocabulary) {
    throw new StudioError('MODEL_INVALID', `Model ${manifest.id}: the stdit3 architecture reads a word vocabulary; its tokenizer is "${tokenizerSpec.kind}".`);
  }
  const tokenize = createWordTokenizer({ ...tokenizerSpec, vocabulary: pkg.vocabulary });
  const toStream = (unit: ModelUnit): StreamUnit => ({ id: unit.id, modelPath: path.join(pkg.dir, unit.file), sizeBytes: unit.sizeBytes });
  const unitPasses = manifestPasses(manifest);
  const passes: PipelinePasses<StreamUnit> = {
    text: unitPasses.text.map(toStream),
    denoiser: unitPasses.denoiser.map(toStream),
    denoiserMerged: unitPasses.denoiserMerged.map(toStream),
    decoder: unitPasses.decoder.map(toStream),
  };
  const hiddenSize = manifest.denoiser.hiddenSize;
  const headDim = hiddenSize / manifest.denoiser.numHeads;
  // Step constants depend on the conditioning only through its token count and captions: built once per job.
  let constantsFor: { conditioning: TextConditioning; constants: StepConstants } | null = null;
  const stepConstants = (conditioning: TextConditioning): StepConstants => {
    if (constantsFor?.conditioning !== conditioning) {
      constantsFor = { conditioning, constants: buildStepConstants(manifest, conditioning.captions, conditioning.tokenCount) };
    }
    return constantsFor.constants;
  };

  return {
    manifest,
    passes,
    latentShape: { ...manifest.latent },
    velocityChannels: manifest.denoiser.outChannels,
    preview: manifest.preview,

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
      return encodePrompt(streamer, passes.text, pkg, prompt, signal);
    },

    async predictVelocity(streamer: UnitStreamer, request: VelocityRequest): Promise<VelocityResult> {
      const constants = stepConstants(request.conditioning);
      const passUnits = request.merged ? passes.denoiserMerged : passes.denoiser;
      const lastIndex = passUnits.length - 1;
      const latentBatch = batchLatent(request.latent);
      const rope = ropeFeeds(constants, request.merged, headDim);
      let shared: { yTok: TensorData; tMlp: TensorData; tEmb: TensorData } | undefined;
      const pass = await streamer.runPass(
        passUnits,
        checkedFeeds(passUnits.map((unit) => unit.id), (index, previous): TensorMap => {
          if (index === 0) {
            return embedderFeeds(constants, latentBatch, request.timestep, hiddenSize);
          }
          if (index === 1) {
            const embedded = requireOutputs(previous, ['x', 'y_tok', 't_mlp', 't_emb'], passUnits[0].id);
            shared = { yTok: embedded.y_tok, tMlp: embedded.t_mlp, tEmb: embedded.t_emb };
          }
          if (!shared) {
            throw new Error('the embedder outputs are missing');
          }
          const x = index === 1 ? requireOutputs(previous, ['x'], passUnits[0].id).x : requireOutputs(previous, ['x_out'], passUnits[index - 1].id).x_out;
          if (index === lastIndex) {
            return {
              x,
              t_emb: shared.tEmb,
              z: tensorData('float32', constants.latentDims, latentBatch.slice()),
              timestep: tensorData('float32', [2], new Float32Array([request.timestep, request.timestep])),
            };
          }
          return { x, y_tok: shared.yTok, t_mlp: shared.tMlp, ...rope };
        }, { stage: 'denoise', step: request.step }),
        { signal: request.signal, keepFeeds: SHARED_DENOISER_FEEDS },
      );
      const velocity = pass.outputs.v;
      if (!velocity) {
        throw new StudioError('MODEL_INVALID', `${passUnits[lastIndex].id} produced no "v" output.`);
      }
      requireFiniteOutputs(pass.outputs, { stage: 'denoise', step: request.step, unitId: passUnits[lastIndex].id });
      return { velocity: float32View(velocity), pass };
    },

    async decode(streamer, latent, signal): Promise<DecodedVideo> {
      const { channels, frames, height, width } = manifest.latent;
      const pass = await streamer.runPass(passes.decoder, () => ({ z: tensorData('float32', [1, channels, frames, height, width], latent.slice()) }), { signal });
      const video = pass.outputs.video;
      if (!video || video.dims.length !== 5) {
        throw new StudioError('MODEL_INVALID', 'The decoder produced no [1, 3, F, H, W] "video" output.');
      }
      requireFiniteOutputs(pass.outputs, { stage: 'decode', unitId: passes.decoder[passes.decoder.length - 1].id });
      return { video: float32View(video), frames: video.dims[2], height: video.dims[3], width: video.dims[4], passes: [pass] };
    },
  };
}

function requireOutputs<K extends string>(outputs: TensorMap | null, names: K[], unitId: string): Record<K, TensorData> {
  const found = {} as Record<K, TensorData>;
  for (const name of names) {
    const tensor = outputs?.[name];
    if (!tensor) {
      throw new StudioError('MODEL_INVALID', `Unit ${unitId} produced no "${name}" output.`);
    }
    found[name] = tensor;
  }
  return found;
}
