import { z } from 'zod';

/**
 * The studio model package: a folder with manifest.json, ONNX units with external weight files, a tokenizer
 * vocabulary, the null caption and decoder. This schema is the single definition of that format; the Python
 * exporter (models/tools) writes it and the engine validates it before any generation. models/FORMAT.md
 * describes every unit's inputs and outputs.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

const dimSchema = z.union([z.number().int().nonnegative(), z.string().min(1)]);

export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'int64', 'int32', 'bool']),
  /** Positive ints are fixed sizes; strings are symbolic (dynamic) axes such as "B" or "T". */
  shape: z.array(dimSchema),
});
export type TensorSpec = z.infer<typeof tensorSpecSchema>;

export const unitSchema = z.object({
  /** Stable id used in timelines and events, e.g. "denoiser.block.03". */
  id: z.string().min(1),
  /** ONNX graph file, relative to the package folder. */
  file: z.string().min(1),
  /** External weight file (relative to the package folder); TDTM variants share their block's file. */
  weightsFile: z.string().min(1).optional(),
  /** Bytes of weights this unit keeps resident once loaded (external weights + initializers in the graph). */
  sizeBytes: z.number().int().nonnegative(),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
});
export type ModelUnit = z.infer<typeof unitSchema>;

/** T5's rules around a SentencePiece vocabulary: append endId, truncate to maxTokens (keeping the end), pad with padId. */
const t5RulesShape = {
  maxTokens: z.number().int().min(2),
  padId: z.number().int().nonnegative(),
  endId: z.number().int().nonnegative(),
  /** Appended to the prepared prompt (Open-Sora 1.2: " aesthetic score: 6.5."). */
  promptSuffix: z.string().optional(),
};

export const tokenizerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('word'),
    /** JSON file: an array of words; the index of a word is its id. */
    vocabFile: z.string().min(1),
    maxTokens: z.number().int().min(2),
    padId: z.number().int().nonnegative(),
    unknownId: z.number().int().nonnegative(),
    endId: z.number().int().nonnegative(),
    lowercase: z.boolean(),
  }),
  z.object({ kind: z.literal('sentencepiece-json'), tokenizerFile: z.string().min(1), ...t5RulesShape }),
  /** A SentencePiece model file (T5's spiece.model) read by the tokenizer library. */
  z.object({ kind: z.literal('sentencepiece'), modelFile: z.string().min(1), ...t5RulesShape }),
]);
export type TokenizerSpec = z.infer<typeof tokenizerSchema>;

export const timestepTransformSchema = z.discriminatedUnion('kind', [
  /** Plain linear schedule t_i = (1 - i/K)·T. */
  z.object({ kind: z.literal('none') }),
  /** Open-Sora 1.2's resolution/frame warp (docs/open-sora.md §Schedule), computed from the clip's pixel size and frames. */
  z.object({
    kind: z.literal('opensora'),
    baseResolutionPixels: z.number().positive(),
    baseFrames: z.number().positive(),
    /** Pixel frames per VAE chunk and latent frames per chunk (17 → 5 for Open-Sora 1.2). */
    chunkFrames: z.number().int().positive(),
    chunkLatentFrames: z.number().int().positive(),
    scale: z.number().positive(),
  }),
  /** A fixed shift factor r: τ' = r·τ / (1 + (r − 1)·τ). */
  z.object({ kind: z.literal('fixed'), shift: z.number().positive() }),
]);
export type TimestepTransform = z.infer<typeof timestepTransformSchema>;

/** The text encoder's units: embedding, blocks run in order, final norm. */
const textUnitsShape = {
  embed: unitSchema,
  blocks: z.array(unitSchema).min(1),
  final: unitSchema,
};

/** The STDiT3 denoiser units and sizes (shared by every architecture that runs an STDiT3). */
export const denoiserSchema = z.object({
  hiddenSize: z.number().int().positive(),
  depth: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  patchSize: z.tuple([z.literal(1), z.number().int().positive(), z.number().int().positive()]),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  captionChannels: z.number().int().positive(),
  modelMaxLength: z.number().int().positive(),
  /** Reference side for the 2D position-embedding scale (Open-Sora: 512). */
  inputSqSize: z.number().positive(),
  embedder: unitSchema,
  /** One entry per (spatial i, temporal i) pair; `tdtm` is the merged variant sharing the same weights. */
  blocks: z.array(z.object({ unit: unitSchema, tdtm: unitSchema })).min(1),
  final: unitSchema,
});
export type DenoiserSpec = z.infer<typeof denoiserSchema>;

/** Fields every package has, whatever its architecture. */
const packageHeaderShape = {
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'id must be lowercase letters, digits, ".", "_" or "-"'),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string(),
};

const samplerSchema = z.object({
  steps: z.number().int().min(1).max(1000),
  cfgScale: z.number().min(0),
  numTimesteps: z.number().int().positive(),
  timestepTransform: timestepTransformSchema,
  /** fps value fed to the fps embedder. */
  conditioningFps: z.number().positive(),
});

/** Learned null caption (Open-Sora's y_embedder.y_embedding), raw little-endian float32 [maxTokens, captionChannels]. */
const nullCaptionSchema = z.object({
  file: z.string().min(1),
  shape: z.tuple([z.number().int().positive(), z.number().int().positive()]),
});

/** Latent → RGB preview: rgb = bias + Σ_c latent[c]·factors[c], in [-1, 1]. */
const previewSchema = z.object({
  factors: z.array(z.tuple([z.number(), z.number(), z.number()])).min(1),
  bias: z.tuple([z.number(), z.number(), z.number()]),
});

/** The built-in package's architecture: one STDiT3, a small word-level text encoder, a one-unit decoder. */
export const manifestSchema = z.object({
  ...packageHeaderShape,
  architecture: z.literal('stdit3'),
  /** The clip the model makes natively. */
  native: z.object({
    frames: z.number().int().positive(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    fps: z.number().positive(),
  }),
  /** Latent layout for the native clip: [channels, frames, height, width]. */
  latent: z.object({
    channels: z.number().int().positive(),
    frames: z.number().int().positive(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
  }),
  sampler: samplerSchema,
  text: z.object({
    tokenizer: tokenizerSchema,
    hiddenSize: z.number().int().positive(),
    ...textUnitsShape,
  }),
  nullCaption: nullCaptionSchema,
  denoiser: denoiserSchema,
  decoder: z.object({
    unit: unitSchema,
    /** Pixel frames per latent frame and pixels per latent pixel. */
    temporalFactor: z.number().int().positive(),
    spatialFactor: z.number().int().positive(),
  }),
  preview: previewSchema,
  /** Provenance: how the weights were made. */
  training: z
    .object({
      recipe: z.string(),
      steps: z.number().int().nonnegative(),
      wallClockSeconds: z.number().nonnegative(),
      heldOut: z.array(z.string()),
    })
    .optional(),
});
export type ModelManifest = z.infer<typeof manifestSchema>;

const positiveInt = z.number().int().positive();

/** Clip presets of an imported Open-Sora package (upstream opensora/datasets/aspect.py; aspect is width:height). */
export const clipPresetsSchema = z.object({
  resolutions: z
    .array(
      z.object({
        name: z.string().min(1),
        aspects: z
          .array(
            z.object({
              aspect: z.string().regex(/^\d+:\d+$/),
              width: positiveInt,
              height: positiveInt,
              /** floor(pixels / spatialFactor); may be odd (the denoiser pads to even and crops). */
              latentWidth: positiveInt,
              latentHeight: positiveInt,
            }),
          )
          .min(1),
      }),
    )
    .min(1),
  /** Frame counts; `conditioningFps` is what the fps embedder sees (120 for a single image upstream). */
  durations: z.array(z.object({ name: z.string().min(1), frames: positiveInt, conditioningFps: z.number().positive() })).min(1),
  default: z.object({ resolution: z.string().min(1), aspect: z.string().min(1), duration: z.string().min(1) }),
});
export type ClipPresets = z.infer<typeof clipPresetsSchema>;

/**
 * A package imported from Open-Sora 1.2's published checkpoints (models/tools/opensora/import_model.py):
 * T5 v1.1 text encoder (its first block also outputs the relative-position bias the other blocks take), the
 * STDiT3 units of the built-in architecture, and the video VAE as two units (temporal decoder per chunk of
 * latent frames, image decoder per micro-batch of frames) plus, optionally, its encoder as two more (image encoder
 * per micro-batch, temporal encoder per chunk). models/FORMAT.md describes every unit.
 */
export const openSoraManifestSchema = z.object({
  ...packageHeaderShape,
  architecture: z.literal('opensora-1.2'),
  /** How the weights files store floats: fp16 packages widen them to float32 once when a unit loads (absent: fp32). */
  weightsPrecision: z.enum(['fp32', 'fp16']).optional(),
  clip: z.object({ fps: z.number().positive(), presets: clipPresetsSchema }),
  latent: z.object({ channels: positiveInt, spatialFactor: positiveInt }),
  sampler: samplerSchema,
  text: z.object({
    tokenizer: tokenizerSchema,
    hiddenSize: positiveInt,
    numHeads: positiveInt,
    ...textUnitsShape,
  }),
  nullCaption: nullCaptionSchema,
  denoiser: denoiserSchema,
  vae: z.object({
    temporal: z.object({
      unit: unitSchema,
      /** Video frames per chunk (upstream micro_frame_size 17) and latent frames per chunk (5). */
      chunkFrames: positiveInt,
      chunkLatentFrames: positiveInt,
      /** Output frames per latent frame before the front padding is dropped (4). */
      timeFactor: positiveInt,
      sizes: z.record(z.string(), z.unknown()),
    }),
    spatial: z.object({
      unit: unitSchema,
      spatialFactor: positiveInt,
      /** Frames per call upstream (micro_batch_size 4); the unit's batch axis is symbolic. */
      microBatch: positiveInt,
      sizes: z.record(z.string(), z.unknown()),
    }),
    /** De-normalization applied inside the temporal unit (z·scale + shift per channel); recorded for reference. */
    scale: z.array(z.number()).min(1),
    shift: z.array(z.number()).min(1),
    /**
     * The VAE encoder, for conditioning frames (absent in packages imported before it existed): `spatial` per
     * micro-batch of frames, `temporal` per chunk of `temporal.chunkFrames` image latents, front-padded to a multiple
     * of `temporal.timeFactor`; it normalizes inside ((z − shift) / scale). Both return the posterior's mean where
     * upstream samples it (models/FORMAT.md, "VAE encoder").
     */
    encoder: z.object({ spatial: unitSchema, temporal: unitSchema, posterior: z.literal('mean') }).optional(),
  }),
  preview: previewSchema,
  /** The published checkpoints it was imported from. */
  source: z.object({ stdit: z.string(), vae: z.string(), t5: z.string(), importer: z.string() }),
});
export type OpenSoraManifest = z.infer<typeof openSoraManifestSchema>;

/** Any package, discriminated by `architecture`. */
export const packageManifestSchema = z.discriminatedUnion('architecture', [manifestSchema, openSoraManifestSchema]);
export type PackageManifest = z.infer<typeof packageManifestSchema>;

/** How a package's weights files store floats (`weightsPrecision`; only Open-Sora imports may be fp16). */
export function weightsPrecisionOf(manifest: PackageManifest): 'fp16' | 'fp32' {
  return 'weightsPrecision' in manifest && manifest.weightsPrecision === 'fp16' ? 'fp16' : 'fp32';
}
