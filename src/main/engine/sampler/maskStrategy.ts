/**
 * Open-Sora 1.2's mask strategy (tag v1.2.0, opensora/utils/inference_utils.py: parse_mask_strategy,
 * apply_mask_strategy): which latent frames of the clip are taken from reference latents, and how freely each may
 * still change. Text form: entries separated by ";", each up to six comma-separated fields
 * `loop,referenceIndex,referenceStart,targetStart,length,editRatio`; missing trailing fields take the defaults
 * 0,0,0,0,1,0 (so "0" is "reference 0's first latent frame becomes the clip's first, fixed"). Indices count latent
 * frames; a negative start counts from the end of the reference or of the clip.
 */
import type { LatentShape } from './types';
import { assertLatentLength } from './types';

export interface MaskStrategyEntry {
  /** Which generation loop the entry belongs to; the engine makes one loop (0), so other loops' entries are skipped. */
  readonly loop: number;
  readonly referenceIndex: number;
  readonly referenceStart: number;
  readonly targetStart: number;
  readonly length: number;
  /** r in [0, 1]: 0 keeps the frames fixed; r in (0, 1) noises them once when t first falls to r·T or below. */
  readonly editRatio: number;
}

export const MASK_STRATEGY_DEFAULTS: MaskStrategyEntry = { loop: 0, referenceIndex: 0, referenceStart: 0, targetStart: 0, length: 1, editRatio: 0 };
const FIELDS = ['loop', 'referenceIndex', 'referenceStart', 'targetStart', 'length', 'editRatio'] as const;

/** Parses the text form; throws a RangeError naming the bad entry. "" is no conditioning (no entries). */
export function parseMaskStrategy(text: string): MaskStrategyEntry[] {
  if (text.trim() === '') {
    return [];
  }
  return text.split(';').map((entryText) => {
    const parts = entryText.split(',').map((part) => part.trim());
    if (parts.length > FIELDS.length || parts.some((part) => part === '')) {
      throw new RangeError(`mask strategy entry "${entryText}" must be 1 to 6 comma-separated numbers (loop,reference,referenceStart,targetStart,length,editRatio)`);
    }
    const entry: Record<string, number> = { ...MASK_STRATEGY_DEFAULTS };
    parts.forEach((part, index) => {
      const value = Number(part);
      const field = FIELDS[index];
      if (field === 'editRatio' ? !Number.isFinite(value) : !Number.isInteger(value)) {
        throw new RangeError(`mask strategy entry "${entryText}": ${field} "${part}" is not ${field === 'editRatio' ? 'a number' : 'an integer'}`);
      }
      entry[field] = value;
    });
    return validated(entry as unknown as MaskStrategyEntry, entryText);
  });
}

function validated(entry: MaskStrategyEntry, text: string): MaskStrategyEntry {
  if (entry.loop < 0 || entry.referenceIndex < 0 || entry.length < 1) {
    throw new RangeError(`mask strategy entry "${text}": loop and reference must be ≥ 0 and length ≥ 1`);
  }
  if (!(entry.editRatio >= 0 && entry.editRatio < 1)) {
    throw new RangeError(`mask strategy entry "${text}": the edit ratio ${entry.editRatio} must be in [0, 1) (0 keeps the reference fixed)`);
  }
  return entry;
}

/** A reference's latent, [C, frames, H, W] at the clip's C, H and W. */
export interface ReferenceLatent {
  readonly latent: Float32Array;
  readonly frames: number;
}

/** One placed run of reference frames: the clip's frames [targetStart, targetStart + length) hold the reference's. */
export interface PlacedFrames {
  readonly referenceIndex: number;
  readonly referenceStart: number;
  readonly targetStart: number;
  readonly length: number;
  readonly editRatio: number;
}

/**
 * v1.2.0's apply_mask_strategy for one sample and loop 0 (no frame alignment): copies each entry's reference frames
 * into `latent` [C, T, H, W] in place and returns the per-frame mask (1 = generated, else the entry's edit ratio;
 * a later entry overwrites an earlier one) with the runs it placed. Lengths are clipped to what the clip and the
 * reference hold; a start outside them is an error (upstream would silently place nothing or fail on indices).
 */
export function applyMaskStrategy(
  latent: Float32Array,
  shape: LatentShape,
  references: readonly ReferenceLatent[],
  entries: readonly MaskStrategyEntry[],
): { mask: Float32Array; placed: PlacedFrames[] } {
  assertLatentLength('latent', latent.length, shape);
  const plane = shape.height * shape.width;
  const mask = new Float32Array(shape.frames).fill(1);
  const placed: PlacedFrames[] = [];
  for (const entry of entries) {
    if (entry.loop !== 0) {
      continue;
    }
    const reference = references[entry.referenceIndex];
    if (!reference) {
      throw new RangeError(`mask strategy names reference ${entry.referenceIndex}, but ${references.length} reference(s) were given`);
    }
    if (reference.latent.length !== shape.channels * reference.frames * plane) {
      throw new RangeError(`reference ${entry.referenceIndex} holds ${reference.latent.length} values, not [${shape.channels}, ${reference.frames}, ${shape.height}, ${shape.width}]`);
    }
    const referenceStart = entry.referenceStart < 0 ? reference.frames + entry.referenceStart : entry.referenceStart;
    const targetStart = entry.targetStart < 0 ? shape.frames + entry.targetStart : entry.targetStart;
    if (referenceStart < 0 || referenceStart >= reference.frames || targetStart < 0 || targetStart >= shape.frames) {
      throw new RangeError(
        `mask strategy: reference start ${entry.referenceStart} (of ${reference.frames} latent frames) or target start ${entry.targetStart} (of ${shape.frames}) is outside its clip`,
      );
    }
    const length = Math.min(entry.length, shape.frames - targetStart, reference.frames - referenceStart);
    for (let c = 0; c < shape.channels; c++) {
      const from = (c * reference.frames + referenceStart) * plane;
      latent.set(reference.latent.subarray(from, from + length * plane), (c * shape.frames + targetStart) * plane);
    }
    mask.fill(entry.editRatio, targetStart, targetStart + length);
    placed.push({ referenceIndex: entry.referenceIndex, referenceStart, targetStart, length, editRatio: entry.editRatio });
  }
  return { mask, placed };
}
