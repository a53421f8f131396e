import type { ConditioningSummary } from '@shared/domain/generation';
import type { TextConditioning } from '../models';
import type { FrameReferences } from './denoiseStage';
import { videoTensorToClip, type RgbaClip } from '../output/frames';
import { writeOutputs, type OutputOptions } from '../output/writeOutputs';
import type { RecordedRun } from '@shared/domain/reproducibilityRecord';
import { StudioError } from '@shared/ipc/errors';
import type { JobRun } from './jobRun';

/**
 * The text, decode and write stages of a job (the denoising loop is ./denoiseStage.ts). Each announces itself,
 * books its time (compute apart from the load time no compute hid) and returns what the next stage needs.
 */

/** Text → conditioning. The embedding depends only on the model and the token ids, so a warm session reuses it. */
export async function encodeTextStage(run: JobRun): Promise<TextConditioning> {
  const startMs = run.beginStage('text');
  const { model, prompt, modelKey } = run.plan;
  const promptKey = Array.from(prompt.ids, String).join(',');
  const cached = run.session.cachedText(modelKey, promptKey);
  const conditioning = cached ?? (await model.encodeText(run.streamer, prompt, run.signal));
  if (!cached) {
    run.session.rememberText(modelKey, promptKey, conditioning);
  }
  run.residentBytes();
  run.endStage('text', startMs, cached ? [] : [conditioning.pass]);
  return conditioning;
}

/** The plan's reference frames → latent frames with the VAE encoder, and where they go (none: null). */
export async function encodeReferenceStage(run: JobRun): Promise<{ references: FrameReferences; summary: ConditioningSummary } | null> {
  const { model, reference } = run.plan;
  if (!reference) {
    return null;
  }
  run.throwIfAborted();
  if (!model.encodeFrames) {
    throw new StudioError('INVALID_PARAMS', `Model ${model.manifest.id} has no VAE encoder for reference frames.`);
  }
  const startMs = run.beginStage('encode');
  const encoded = await model.encodeFrames(run.streamer, reference.frames, reference.frameCount, run.signal);
  run.residentBytes();
  run.endStage('encode', startMs, encoded.passes);
  return {
    references: { latents: [{ latent: encoded.latent, frames: encoded.latentFrames }], strategy: reference.strategy },
    summary: {
      kind: reference.kind,
      source: reference.source,
      strength: reference.strength,
      editRatio: reference.strategy[0].editRatio,
      latentFrames: encoded.latentFrames,
      pixelFrames: reference.frameCount,
    },
  };
}

/** Final latent → RGBA clip, which must be the clip asked for (and so what every record written claims). */
export async function decodeStage(run: JobRun, latent: Float32Array): Promise<RgbaClip> {
  run.throwIfAborted();
  const startMs = run.beginStage('decode');
  const { model, clipSize } = run.plan;
  const decoded = await model.decode(run.streamer, latent, run.signal);
  run.residentBytes();
  if (decoded.frames !== clipSize.frames || decoded.height !== clipSize.height || decoded.width !== clipSize.width) {
    throw new StudioError(
      'MODEL_INVALID',
      `The decoder made ${decoded.frames} frames of ${decoded.width}×${decoded.height} px; this run asked for ${clipSize.frames} frames of ${clipSize.width}×${clipSize.height} px. The package's manifest does not match its decoder.`,
    );
  }
  const clip = videoTensorToClip(decoded.video, { frames: decoded.frames, height: decoded.height, width: decoded.width }, clipSize.fps);
  run.endStage('decode', startMs, decoded.passes);
  return clip;
}

/**
 * Clip → GIF/PNG/MP4/JSON files with the record of what the sampler did and what it was conditioned on (nothing when
 * the job has no output); returns their paths.
 */
export async function writeStage(run: JobRun, clip: RgbaClip, output: OutputOptions | undefined, sampled: RecordedRun, reference: ConditioningSummary | undefined): Promise<string[]> {
  if (!output) {
    return [];
  }
  const startMs = run.beginStage('write');
  const { paths } = await writeOutputs(clip, { settings: run.plan.settings, run: sampled, reference }, output);
  run.endStage('write', startMs);
  return paths;
}
