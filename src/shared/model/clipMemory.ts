import { presetChoices, resolveClip, type ClipSize } from './clipSize';
import type { PackageManifest } from './manifest';
import { passesUsed, type PassesUsed, type PassName } from './unitPasses';

const FLOAT_BYTES = 4;
/** Open-Sora 1.2 runs CFG as one batch of two (prompt, null caption). */
const CFG_BATCH = 2;
/** STDiT3's MLP widens to 4 × hidden. */
const MLP_RATIO = 4;
/**
 * Wide (MLP-width) tensors a block pair holds at once in the runtime: the tanh GELU is exported as elementwise
 * operators, so its input, the cube and the product being formed live together. Measured at Open-Sora 1.2's real
 * size, 144p × 51 frames (docs/real-size.md): the engine's memory beside the weights was 2.0–2.3 × the estimate
 * with one wide tensor, and within it with three.
 */
const MLP_WIDE_TENSORS = 3;

/** Bytes of the largest intermediate tensors one unit of each pass holds at once, for one clip size. */
export type ActivationBytes = Record<PassName, number>;

/** The activation estimate of every clip a package can make, keyed like the composer's picker (clipKey). */
export interface ClipMemoryEntry {
  key: string;
  frames: number;
  width: number;
  height: number;
  activationBytes: ActivationBytes;
}

export function clipKey(clip: Pick<ClipSize, 'resolution' | 'aspect' | 'frames'>): string {
  return clip.resolution === null || clip.aspect === null ? '' : `${clip.resolution}|${clip.aspect}|${clip.frames}`;
}

/**
 * What the weights forecast (memoryPlan) leaves out and the clip size decides: the float32 activations inside the
 * largest unit of each pass. An estimate from the shapes, not a measurement (the runtime's own arenas come on top):
 *   - text: T5 over maxTokens tokens: hidden state, its gated feed-forward (≈ 4 × hidden) and the heads × L² scores;
 *   - denoiser: the CFG batch of T·S tokens (S = patches per frame of the padded latent): hidden state in and out,
 *     three tensors of the MLP's 4 × hidden (MLP_WIDE_TENSORS), and the larger attention score tensor of the pair (spatial: heads·T·S², temporal:
 *     heads·S·T²); the TDTM pass attends over ⌈T/2⌉ merged frames;
 *   - decoder: the larger of the temporal VAE on one chunk (widest level, 4 × chunk frames) and the image VAE on
 *     one micro-batch (each level's width × its resolution; the level's input and output live at once);
 *   - encoder (reference frames): the same figure as the decoder, whose levels it walks in reverse at the same
 *     widths and resolutions on the same micro-batches and chunks; 0 for a package without one.
 */
export function estimateActivationBytes(manifest: PackageManifest, clip: ClipSize): ActivationBytes {
  const { denoiser } = manifest;
  const textHidden = manifest.text.hiddenSize;
  const textTokens = manifest.text.tokenizer.maxTokens;
  const textHeads = manifest.architecture === 'opensora-1.2' ? manifest.text.numHeads : 1;
  const text = FLOAT_BYTES * (textTokens * textHidden * (2 + MLP_RATIO) + textHeads * textTokens * textTokens);

  const rows = Math.ceil(clip.latent.height / denoiser.patchSize[1]);
  const cols = Math.ceil(clip.latent.width / denoiser.patchSize[2]);
  const patches = rows * cols;
  const blockBytes = (attentionFrames: number): number => {
    const tokens = CFG_BATCH * clip.latent.frames * patches;
    const spatialScores = CFG_BATCH * attentionFrames * denoiser.numHeads * patches * patches;
    const temporalScores = CFG_BATCH * patches * denoiser.numHeads * attentionFrames * attentionFrames;
    return FLOAT_BYTES * (tokens * denoiser.hiddenSize * (2 + MLP_WIDE_TENSORS * MLP_RATIO) + Math.max(spatialScores, temporalScores));
  };

  let decoder: number;
  if (manifest.architecture === 'stdit3') {
    decoder = FLOAT_BYTES * 2 * 3 * clip.frames * clip.height * clip.width;
  } else {
    const { temporal, spatial } = manifest.vae;
    const plane = clip.latent.height * clip.latent.width;
    const temporalWidth = widestTemporalWidth(temporal.sizes);
    const chunkBytes = FLOAT_BYTES * 2 * temporalWidth * temporal.timeFactor * temporal.chunkLatentFrames * plane;
    const widths = [...numberList(spatial.sizes.blockOutChannels)].reverse();
    const batch = Math.min(spatial.microBatch, clip.frames);
    const levelBytes = widths.map((width, level) => FLOAT_BYTES * 2 * batch * width * plane * 4 ** level);
    decoder = Math.max(chunkBytes, ...levelBytes);
  }
  const encoder = manifest.architecture === 'opensora-1.2' && manifest.vae.encoder ? decoder : 0;
  return { text, encoder, denoiser: blockBytes(clip.latent.frames), denoiserMerged: blockBytes(Math.ceil(clip.latent.frames / 2)), decoder };
}

/**
 * The activations a budget must cover besides the weights: the largest of the passes a run uses (one pass runs
 * at a time). The engine's plan and the composer's forecast both add it to every figure.
 */
export function activationReserveBytes(bytes: ActivationBytes, used: PassesUsed): number {
  return Math.max(0, ...passesUsed(used).map((pass) => bytes[pass]));
}

/** The estimate for every preset combination (or the one native clip) of a package; the default clip first. */
export function clipMemoryTable(manifest: PackageManifest): ClipMemoryEntry[] {
  const defaultClip = resolveClip(manifest, undefined);
  const clips: ClipSize[] = [defaultClip];
  if (manifest.architecture === 'opensora-1.2') {
    const { frames } = presetChoices(manifest.clip.presets);
    for (const resolution of manifest.clip.presets.resolutions) {
      for (const aspect of resolution.aspects) {
        const more = frames.map((count) => resolveClip(manifest, { resolution: resolution.name, aspect: aspect.aspect, frames: count }));
        clips.push(...more.filter((clip) => clipKey(clip) !== clipKey(defaultClip)));
      }
    }
  }
  return clips.map((clip) => ({ key: clipKey(clip), frames: clip.frames, width: clip.width, height: clip.height, activationBytes: estimateActivationBytes(manifest, clip) }));
}

function numberList(value: unknown): number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number') ? value : [];
}

/** filters × the largest channel multiplier; the time-expanding convolutions double it. */
function widestTemporalWidth(sizes: Record<string, unknown>): number {
  const filters = typeof sizes.filters === 'number' ? sizes.filters : 0;
  const multipliers = numberList(sizes.channelMultipliers);
  return 2 * filters * Math.max(1, ...multipliers);
}
