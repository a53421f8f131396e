import type { ClipSize } from './clipSize';
import type { ModelUnit, PackageManifest } from './manifest';

/**
 * The sizes the units' symbolic axes take for one clip and one prompt (models/FORMAT.md names the axes): what the
 * engine gives each session as free-dimension overrides on the CoreML EP, so CoreML sees static shapes, and what
 * `npm run coreml-report -- --static` fixes before it partitions (at the package's default clip, L = maxTokens).
 * One definition for both, per stage, because the stages feed the same axis names different sizes:
 * - text: B = 1 (the prompt alone); L the tokens fed (Open-Sora: the real tokens; the built-in T5: all maxTokens);
 * - denoiser: B = 2 (the CFG pair), T the latent frames, Tm = ⌈T/2⌉ (TDTM), H × W the latent padded to the patch
 *   size, S its patches per frame, L the prompt's real tokens;
 * - decoder: Open-Sora's `vae.temporal` gets B = 1 and Tz a chunk of latent frames (the first chunk's; a shorter
 *   last chunk is its own size), `vae.spatial` N = a micro-batch of frames, both at the unpadded latent H × W; the
 *   built-in decoder B = 1 and the whole latent;
 * - encoder (Open-Sora's VAE encoder): N a micro-batch of Hpx × Wpx frames, B = 1 and Fz the padded chunk of
 *   image latents.
 */
export type UnitStage = 'text' | 'denoiser' | 'decoder' | 'encoder';
export type AxisSizes = Readonly<Record<string, number>>;

export interface AxisSizesInput {
  readonly manifest: PackageManifest;
  readonly clip: ClipSize;
  /** The prompt's real tokens (`</s>` included): what Open-Sora's T5 and every denoiser's caption axis L get. */
  readonly textTokens: number;
}

/** CFG: the conditional and the null-caption rows run as one batch. */
const CFG_BATCH = 2;

export function stageAxisSizes({ manifest, clip, textTokens }: AxisSizesInput): Record<UnitStage, AxisSizes> {
  const { latent } = clip;
  const [, patchH, patchW] = manifest.denoiser.patchSize;
  const paddedHeight = Math.ceil(latent.height / patchH) * patchH;
  const paddedWidth = Math.ceil(latent.width / patchW) * patchW;
  const denoiser = {
    B: CFG_BATCH,
    T: latent.frames,
    Tm: Math.ceil(latent.frames / 2),
    H: paddedHeight,
    W: paddedWidth,
    S: (paddedHeight / patchH) * (paddedWidth / patchW),
    L: textTokens,
  };
  if (manifest.architecture !== 'opensora-1.2') {
    return {
      text: { B: 1, L: manifest.text.tokenizer.maxTokens },
      denoiser,
      decoder: { B: 1, T: latent.frames, H: latent.height, W: latent.width },
      encoder: {},
    };
  }
  const { temporal, spatial } = manifest.vae;
  const chunkLatent = Math.min(temporal.chunkLatentFrames, latent.frames);
  const microBatch = Math.min(spatial.microBatch, clip.frames);
  return {
    text: { B: 1, L: textTokens },
    denoiser,
    decoder: { B: 1, Tz: chunkLatent, N: microBatch, H: latent.height, W: latent.width },
    encoder: {
      N: microBatch,
      Hpx: latent.height * spatial.spatialFactor,
      Wpx: latent.width * spatial.spatialFactor,
      B: 1,
      Fz: chunkLatent * temporal.timeFactor,
      H: latent.height,
      W: latent.width,
    },
  };
}

/** The stage a unit belongs to, by its id (models/FORMAT.md's unit names). */
export function stageOfUnit(unitId: string): UnitStage {
  if (unitId.startsWith('text.')) {
    return 'text';
  }
  if (unitId.startsWith('denoiser.')) {
    return 'denoiser';
  }
  if (unitId === 'vae.spatial_encoder' || unitId === 'vae.temporal_encoder') {
    return 'encoder';
  }
  if (unitId === 'decoder' || unitId.startsWith('vae.')) {
    return 'decoder';
  }
  throw new Error(`Unit ${unitId} belongs to no known stage (text.*, denoiser.*, vae.*, decoder).`);
}

/** Sizes of every symbolic axis of the unit's inputs, by name; refuses an axis `sizes` does not size, naming it. */
export function freeDimensionOverrides(unit: Pick<ModelUnit, 'id' | 'inputs'>, sizes: AxisSizes): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const input of unit.inputs) {
    for (const dim of input.shape) {
      if (typeof dim !== 'string') {
        continue;
      }
      const size = sizes[dim];
      if (size === undefined) {
        throw new Error(`Unit ${unit.id}: input ${input.name} has the symbolic axis ${dim}, which its stage does not size (${Object.keys(sizes).join(', ') || 'none'}).`);
      }
      overrides[dim] = size;
    }
  }
  return overrides;
}
