import type { ReferenceRequest } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import type { ClipSize } from '@shared/model/clipSize';
import type { MaskStrategyEntry } from '../sampler/maskStrategy';
import { readClipFrames, readImageFile } from './imageFiles';
import { planFill, resizeCropToFill, type RgbImage } from './resizeCrop';

/** The smallest image side accepted, and how far it may be enlarged to fill the preset. */
export const MIN_IMAGE_SIDE_PX = 16;
export const MAX_UPSCALE = 8;
/** More of the image than this cut off by the crop is refused (the preset's aspect is far from the image's). */
export const MAX_CUT_FRACTION = 0.5;

/** Reference pixels ready for the VAE encoder, and where their latent frames go in the clip. */
export interface ReferenceSource {
  readonly kind: ReferenceRequest['kind'];
  readonly source: string;
  /** Condition strength S (1: the reference latent frames are kept fixed); the strategy's edit ratio is 1 − S. */
  readonly strength: number;
  /** RGB frames [F, Hpx, Wpx, 3] at the preset's pixel size. */
  readonly frames: Uint8Array;
  readonly frameCount: number;
  /** The mask strategy placing the encoded reference (reference 0) in the clip, as Open-Sora v1.2.0 writes it. */
  readonly strategy: MaskStrategyEntry[];
  readonly warnings: string[];
}

export interface VaeChunk {
  /** Video frames per VAE chunk (17) and the latent frames a chunk encodes to (5). */
  readonly chunkFrames: number;
  readonly chunkLatentFrames: number;
}

/**
 * Reads and fits the reference of a request, refusing what cannot condition the clip before any compute:
 * - image: the PNG/JPEG scaled to cover the preset and centre-cropped (v1.2.0 `resize_crop_to_fill`), encoded as one
 *   frame → one latent frame placed at the clip's first (strategy "0": v1.2.0's defaults);
 * - extend: the clip's last `chunkFrames` frames (one VAE chunk, the 5 latent frames v1.2.0's loop conditions on:
 *   `condition_frame_length`) fitted the same way → the clip's first latent frames.
 * `strength` S gives the edit ratio r = 1 − S (S = 1: fixed frames).
 */
export function loadReferenceSource(request: ReferenceRequest, clip: ClipSize, chunk: VaeChunk): ReferenceSource {
  const width = clip.conditioningWidth;
  const height = clip.conditioningHeight;
  const source = request.source ?? request.path;
  const strength = request.strength ?? 1;
  const editRatio = 1 - strength;
  const warnings: string[] = [];
  let images: RgbImage[];
  let latentFrames: number;
  if (request.kind === 'image') {
    images = [readImageFile(request.path)];
    latentFrames = 1;
  } else {
    const clipFrames = readClipFrames(request.path, chunk.chunkFrames);
    if (clipFrames.total < chunk.chunkFrames) {
      throw new StudioError(
        'INVALID_PARAMS',
        `The clip ${source} has ${clipFrames.total} frame${clipFrames.total === 1 ? '' : 's'}; extending needs at least one VAE chunk of ${chunk.chunkFrames} frames (its last ${chunk.chunkFrames} frames become the new clip's first).`,
      );
    }
    images = clipFrames.frames;
    latentFrames = chunk.chunkLatentFrames;
  }
  const fitted = images.map((image) => fit(image, width, height, source, warnings));
  const frames = new Uint8Array(fitted.length * width * height * 3);
  fitted.forEach((image, index) => frames.set(image.rgb, index * width * height * 3));
  const strategy: MaskStrategyEntry[] = [{ loop: 0, referenceIndex: 0, referenceStart: 0, targetStart: 0, length: latentFrames, editRatio }];
  return { kind: request.kind, source, strength, frames, frameCount: fitted.length, strategy, warnings: [...new Set(warnings)] };
}

function fit(image: RgbImage, width: number, height: number, source: string, warnings: string[]): RgbImage {
  if (image.width < MIN_IMAGE_SIDE_PX || image.height < MIN_IMAGE_SIDE_PX || Math.max(width / image.width, height / image.height) > MAX_UPSCALE) {
    throw new StudioError(
      'INVALID_PARAMS',
      `${source} is ${image.width} × ${image.height} pixels: too small for the ${width} × ${height} preset (at least ${MIN_IMAGE_SIDE_PX} px a side and at most ${MAX_UPSCALE}× enlargement).`,
    );
  }
  const plan = planFill(image.width, image.height, width, height);
  if (plan.cutAxis) {
    const percent = Math.round(plan.cutFraction * 100);
    const how = `scaled to ${plan.scaledWidth} × ${plan.scaledHeight} and ${percent} % of its ${plan.cutAxis} cut off, centred`;
    if (plan.cutFraction > MAX_CUT_FRACTION) {
      throw new StudioError('INVALID_PARAMS', `${source} (${image.width} × ${image.height}) is far from the preset's ${width} × ${height} aspect: it would be ${how}. Choose an aspect preset closer to the image's.`);
    }
    warnings.push(`${source} (${image.width} × ${image.height}) was ${how} to fit the ${width} × ${height} preset.`);
  }
  return resizeCropToFill(image, width, height);
}
