import fs from 'node:fs';
import path from 'node:path';
import { openSoraManifestSchema, type ModelUnit } from '@shared/model/manifest';
import { locateModelsDir } from '../../engine/paths';
import { loadT5Tokenizer } from '../../engine/models/opensora/text/t5Tokenizer';
import { parseBoundedJson } from '../boundedJson';
import { ImportCancelled, ImportRefused } from '../errors';
import { partialPackagePrefix } from '../partialPackage';
import { openRegularFile, closeFile, readSmallTextFile } from '../regularFile';
import { openSafetensorsSource, openShardedWeights, type TensorSource } from '../tensorSource';
import { toFloat32 } from '../tensorData';
import { ROLES, configInt, pyRepr, readConfig, type CheckpointFolders, type JsonObject } from './checkpointFolders';
import { instantiateUnit, type WeightsPrecision } from './instantiate';
import { PROMPT_SUFFIX, SAMPLER, VIDEO_FPS, chunkLatentFrames, clipPresets, packageId } from './packageFacts';
import { fitPreview } from './previewFit';
import { loadTemplateSets, selectTemplate, type Role, type TemplateSet, type UnitTemplate } from './templates';
import { WeightsFile } from './weightsFile';

export interface ImportProgress {
  /** The unit just written, e.g. "denoiser.block.03". */
  unitId: string;
  done: number;
  total: number;
  /** Bytes the unit keeps resident once loaded on the CPU execution provider. */
  sizeBytes: number;
  elapsedMs: number;
  peakRssBytes: number;
}

export interface OpenSoraImportOptions {
  checkpoints: CheckpointFolders;
  /** The package folder to create (must not exist, or be an empty folder). */
  outDir: string;
  name?: string;
  id?: string;
  /** fp16 (default): weights stored at half the bytes, widened once at load on the CPU. */
  precision?: WeightsPrecision;
  /** Default: models/templates/opensora-1.2 of this installation. */
  templatesDir?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface OpenSoraImportResult {
  outDir: string;
  sizeBytes: number;
  durationMs: number;
  peakRssBytes: number;
  previewRmse: number;
}

export const DEFAULT_NAME = 'Open-Sora 1.2';
/** T5 v1.1's config fields that the graphs depend on (the template's facts) and the block count. */
const T5_FIELDS = ['d_model', 'd_kv', 'd_ff', 'num_heads', 'vocab_size', 'relative_attention_num_buckets', 'relative_attention_max_distance', 'layer_norm_epsilon'];
/** STDiT3 config.json fields checked against the tensors (the template's facts). */
const STDIT_FIELDS = ['hidden_size', 'num_heads', 'patch_size', 'in_channels', 'pred_sigma', 'caption_channels', 'model_max_length', 'qk_norm', 'mlp_ratio'];
/** A bound on block counts read from files (T5-XXL has 24, STDiT3-XL/2 28 pairs). */
const MAX_BLOCKS = 256;

export function defaultTemplatesDir(): string {
  return path.join(locateModelsDir(), 'templates', 'opensora-1.2');
}

/**
 * Imports Open-Sora 1.2's three published checkpoint folders into a studio package, in Node: the folders are
 * checked (config.json roles, every key and shape against the template set their tensors match, the tokenizer
 * loaded) before anything is written; then each unit's template graph is filled from the checkpoint one tensor
 * at a time, into a hidden sibling folder of outDir that is renamed when complete and removed on any error or
 * cancel. Refusals are ImportRefused naming the file (and key).
 */
export async function importOpenSora(options: OpenSoraImportOptions): Promise<OpenSoraImportResult> {
  const started = Date.now();
  const precision = options.precision ?? 'fp16';
  const inputs = await openInputs(options.checkpoints, options.templatesDir ?? defaultTemplatesDir());
  let tmp: string | null = null;
  try {
    const out = path.resolve(options.outDir);
    tmp = prepareOut(out);
    const total = inputs.t5Blocks + 2 + 2 * inputs.depth + 2 + 4; // VAE: two decoder and two encoder units
    let done = 0;
    const progress = (unitId: string, sizeBytes: number): void => {
      done++;
      options.onProgress?.({ unitId, done, total, sizeBytes, elapsedMs: Date.now() - started, peakRssBytes: peakRssBytes() });
    };
    const builder = new UnitWriter(tmp, precision, options.signal);
    const name = options.name ?? DEFAULT_NAME;

    const t5 = inputs.sets.t5;
    const text = {
      embed: await builder.single('text.embed', t5, 'text.embed', null, inputs.t5),
      blocks: [] as ModelUnit[],
      final: null as ModelUnit | null,
    };
    progress('text.embed', text.embed.sizeBytes);
    for (let i = 0; i < inputs.t5Blocks; i++) {
      const id = `text.block.${pad2(i)}`;
      text.blocks.push(await builder.single(id, t5, i === 0 ? 'text.block.first' : 'text.block', i, inputs.t5));
      progress(id, text.blocks[i].sizeBytes);
    }
    text.final = await builder.single('text.final', t5, 'text.final', null, inputs.t5);
    progress('text.final', text.final.sizeBytes);

    const st = inputs.sets.stdit;
    await checkRope(inputs);
    const nullCaption = await inputs.stdit.read('y_embedder.y_embedding');
    fs.writeFileSync(path.join(tmp, 'null_caption.bin'), float32Bytes(toFloat32(nullCaption)));
    const embedder = await builder.single('denoiser.embedder', st, 'denoiser.embedder', null, inputs.stdit);
    progress('denoiser.embedder', embedder.sizeBytes);
    const blocks: { unit: ModelUnit; tdtm: ModelUnit }[] = [];
    for (let i = 0; i < inputs.depth; i++) {
      const id = `denoiser.block.${pad2(i)}`;
      const weights = new WeightsFile(path.join(tmp, `${id}.weights`), `${id}.weights`);
      const unit = await builder.unit(id, st, 'denoiser.block', i, inputs.stdit, weights);
      const tdtm = await builder.unit(`${id}.tdtm`, st, 'denoiser.block.tdtm', i, inputs.stdit, weights);
      weights.close();
      progress(id, unit.sizeBytes);
      progress(`${id}.tdtm`, tdtm.sizeBytes);
      blocks.push({ unit, tdtm });
    }
    const final = await builder.single('denoiser.final', st, 'denoiser.final', null, inputs.stdit);
    progress('denoiser.final', final.sizeBytes);

    const vaeSet = inputs.sets.vae;
    const vaeFacts = vaeSet.facts as { spatial: Record<string, unknown>; temporal: Record<string, unknown>; timeFactor: number; latentChannels: number; spatialFactor: number };
    const temporal = await builder.single('vae.temporal', vaeSet, 'vae.temporal', null, inputs.vae);
    progress('vae.temporal', temporal.sizeBytes);
    const spatial = await builder.single('vae.spatial', vaeSet, 'vae.spatial', null, inputs.vae);
    progress('vae.spatial', spatial.sizeBytes);
    const scale = Array.from(toFloat32(await inputs.vae.read('scale')));
    const shift = Array.from(toFloat32(await inputs.vae.read('shift')));
    const preview = await fitPreview({
      packageDir: tmp,
      temporalFile: temporal.file,
      spatialFile: spatial.file,
      channels: vaeFacts.latentChannels,
      chunkFrames: inputs.vaeChunkFrames,
      timeFactor: vaeFacts.timeFactor,
      spatialFactor: vaeFacts.spatialFactor,
      microBatch: inputs.vaeMicroBatch,
    });
    // The encoder, for conditioning frames: image encoder per micro-batch, temporal encoder per chunk.
    const spatialEncoder = await builder.single('vae.spatial_encoder', vaeSet, 'vae.spatial_encoder', null, inputs.vae);
    progress('vae.spatial_encoder', spatialEncoder.sizeBytes);
    const temporalEncoder = await builder.single('vae.temporal_encoder', vaeSet, 'vae.temporal_encoder', null, inputs.vae);
    progress('vae.temporal_encoder', temporalEncoder.sizeBytes);

    const tokenizer = copyTokenizer(options.checkpoints.t5, tmp, inputs);
    const stFacts = st.facts as { hidden_size: number; num_heads: number; patch_size: number[]; in_channels: number; pred_sigma: boolean; caption_channels: number; model_max_length: number };
    const chunkLatent = chunkLatentFrames(inputs.vaeChunkFrames, vaeFacts.timeFactor);
    const manifest = {
      schemaVersion: 1,
      id: packageId(options.id ?? name),
      name,
      version: '1.2.0',
      description: 'Open-Sora 1.2 (STDiT3 + T5 v1.1 encoder + video VAE), imported from the published checkpoints by the studio (src/main/importer/opensora).',
      architecture: 'opensora-1.2',
      weightsPrecision: precision,
      clip: { fps: VIDEO_FPS, presets: clipPresets(vaeFacts.spatialFactor) },
      latent: { channels: vaeFacts.latentChannels, spatialFactor: vaeFacts.spatialFactor },
      sampler: {
        ...SAMPLER,
        conditioningFps: VIDEO_FPS,
        timestepTransform: { kind: 'opensora', baseResolutionPixels: 512 * 512, baseFrames: 1, chunkFrames: inputs.vaeChunkFrames, chunkLatentFrames: chunkLatent, scale: 1.0 },
      },
      text: { tokenizer, hiddenSize: t5.facts.d_model, numHeads: t5.facts.num_heads, embed: text.embed, blocks: text.blocks, final: text.final },
      nullCaption: { file: 'null_caption.bin', shape: nullCaption.shape },
      denoiser: {
        hiddenSize: stFacts.hidden_size,
        depth: inputs.depth,
        numHeads: stFacts.num_heads,
        patchSize: stFacts.patch_size,
        inChannels: stFacts.in_channels,
        outChannels: stFacts.in_channels * (stFacts.pred_sigma ? 2 : 1),
        captionChannels: stFacts.caption_channels,
        modelMaxLength: stFacts.model_max_length,
        inputSqSize: inputs.inputSqSize,
        embedder,
        blocks,
        final,
      },
      vae: {
        temporal: { unit: temporal, chunkFrames: inputs.vaeChunkFrames, chunkLatentFrames: chunkLatent, timeFactor: vaeFacts.timeFactor, sizes: vaeFacts.temporal },
        spatial: { unit: spatial, spatialFactor: vaeFacts.spatialFactor, microBatch: inputs.vaeMicroBatch, sizes: vaeFacts.spatial },
        scale,
        shift,
        encoder: { spatial: spatialEncoder, temporal: temporalEncoder, posterior: 'mean' },
      },
      preview: { factors: preview.factors, bias: preview.bias },
      source: { stdit: ROLES.stdit.published, vae: ROLES.vae.published, t5: ROLES.t5.published, importer: 'src/main/importer/opensora' },
    };
    openSoraManifestSchema.parse(manifest);
    fs.writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    throwIfAborted(options.signal);
    if (fs.existsSync(out)) {
      fs.rmdirSync(out); // empty (checked in prepareOut)
    }
    fs.renameSync(tmp, out);
    tmp = null;
    const sizeBytes = fs.readdirSync(out).reduce((sum, f) => sum + fs.statSync(path.join(out, f)).size, 0);
    return { outDir: out, sizeBytes, durationMs: Date.now() - started, peakRssBytes: peakRssBytes(), previewRmse: preview.rmse };
  } catch (error) {
    if (options.signal?.aborted && !(error instanceof ImportRefused)) {
      throw new ImportCancelled('The import was cancelled; nothing was written.');
    }
    throw error;
  } finally {
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    for (const source of [inputs.stdit, inputs.vae, inputs.t5]) {
      source.close();
    }
  }
}

interface Inputs {
  stdit: TensorSource;
  vae: TensorSource;
  t5: TensorSource;
  sets: Record<Role, TemplateSet>;
  depth: number;
  t5Blocks: number;
  inputSqSize: number;
  vaeChunkFrames: number;
  vaeMicroBatch: number;
  spiece: { path: string; padId: number; endId: number };
}

/** Opens and checks everything before the first byte is written. */
async function openInputs(folders: CheckpointFolders, templatesDir: string): Promise<Inputs> {
  const cfg = { stdit: readConfig(folders.stdit, 'stdit'), vae: readConfig(folders.vae, 'vae'), t5: readConfig(folders.t5, 't5') };
  const cfgPath = (role: Role): string => path.join(folders[role], 'config.json');
  const opened: TensorSource[] = [];
  try {
    const stdit = openSingle(folders.stdit, 'stdit');
    opened.push(stdit);
    const vae = openSingle(folders.vae, 'vae');
    opened.push(vae);
    const spiece = await checkTokenizer(folders.t5);
    const t5 = await openShardedWeights(folders.t5);
    opened.push(t5);

    const depth = countBlocks(stdit);
    if (depth === 0) {
      throw new ImportRefused(`${stdit.label}: missing key 'spatial_blocks.0.scale_shift_table' (no STDiT3 blocks)`);
    }
    const stditSet = selectTemplate(loadTemplateSets(templatesDir, 'stdit'), depth, stdit);
    checkFacts(cfg.stdit, cfgPath('stdit'), stditSet.facts, STDIT_FIELDS, (field, value) => `${field} is ${pyRepr(cfg.stdit[field])} but the tensors in model.safetensors say ${pyRepr(value)}`);
    if ('depth' in cfg.stdit && cfg.stdit.depth !== depth) {
      throw new ImportRefused(`${cfgPath('stdit')}: depth is ${pyRepr(cfg.stdit.depth)} but the tensors in model.safetensors say ${depth}`);
    }

    for (const field of [...T5_FIELDS, 'num_layers']) {
      if (!(field in cfg.t5)) {
        throw new ImportRefused(`${cfgPath('t5')}: missing field '${field}'`);
      }
    }
    if ((cfg.t5.feed_forward_proj ?? 'gated-gelu') !== 'gated-gelu') {
      throw new ImportRefused(`${cfgPath('t5')}: feed_forward_proj is ${pyRepr(cfg.t5.feed_forward_proj)}; only T5 v1.1's 'gated-gelu' is supported`);
    }
    const t5Blocks = configInt(cfg.t5, cfgPath('t5'), 'num_layers', MAX_BLOCKS);
    const t5Set = selectTemplate(loadTemplateSets(templatesDir, 't5'), t5Blocks, t5);
    checkFacts(cfg.t5, cfgPath('t5'), t5Set.facts, T5_FIELDS, (field, value) => `${field} is ${pyRepr(cfg.t5[field])} but the tensors (template '${t5Set.config}') need ${pyRepr(value)}`);
    if (t5Set.facts.d_model !== stditSet.facts.caption_channels) {
      throw new ImportRefused(`${cfgPath('t5')}: d_model ${String(t5Set.facts.d_model)} differs from the STDiT3 caption width ${String(stditSet.facts.caption_channels)} (${stdit.label}): not a matching pair`);
    }
    const vaeSet = selectTemplate(loadTemplateSets(templatesDir, 'vae'), 0, vae);
    const vaeChunkFrames = configInt(cfg.vae, cfgPath('vae'), 'micro_frame_size', 4096);
    const vae2d = (cfg.vae.vae_2d ?? {}) as JsonObject;
    const vaeMicroBatch = configInt({ micro_batch_size: vae2d.micro_batch_size ?? 4 }, cfgPath('vae'), 'micro_batch_size', 4096);
    const inputSq = cfg.stdit.input_sq_size ?? 512;
    return {
      stdit,
      vae,
      t5,
      sets: { stdit: stditSet, t5: t5Set, vae: vaeSet },
      depth,
      t5Blocks,
      inputSqSize: typeof inputSq === 'number' && inputSq > 0 ? inputSq : 512,
      vaeChunkFrames,
      vaeMicroBatch,
      spiece,
    };
  } catch (error) {
    for (const source of opened) {
      source.close();
    }
    throw error;
  }
}

function openSingle(folder: string, role: 'stdit' | 'vae'): TensorSource {
  const file = path.join(folder, 'model.safetensors');
  if (!fs.existsSync(file) && !pathExists(file)) {
    throw new ImportRefused(`${file}: missing; ${ROLES[role].flag} expects config.json + model.safetensors as published in ${ROLES[role].published}`);
  }
  return openSafetensorsSource(file);
}

/** Whether anything (a file, a folder, a dangling link, a FIFO) exists at this path. */
function pathExists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function countBlocks(stdit: TensorSource): number {
  const keys = new Set(stdit.keys());
  let depth = 0;
  while (depth <= MAX_BLOCKS && keys.has(`spatial_blocks.${depth}.scale_shift_table`)) {
    depth++;
  }
  return depth;
}

function checkFacts(cfg: JsonObject, file: string, facts: Record<string, unknown>, fields: string[], message: (field: string, value: unknown) => string): void {
  for (const field of fields) {
    if (!(field in cfg) || !(field in facts)) {
      continue;
    }
    const want = facts[field];
    const got = cfg[field];
    const same = typeof want === 'number' && typeof got === 'number' ? Math.abs(want - got) <= 1e-6 * Math.max(1, Math.abs(want)) : JSON.stringify(want) === JSON.stringify(got);
    if (!same) {
      throw new ImportRefused(`${file}: ${message(field, want)}`);
    }
  }
}

async function checkTokenizer(t5Folder: string): Promise<Inputs['spiece']> {
  const spiece = path.join(t5Folder, 'spiece.model');
  if (!fs.existsSync(spiece) && !pathExists(spiece)) {
    throw new ImportRefused(`${spiece}: missing; --t5 expects DeepFloyd/t5-v1_1-xxl with its spiece.model`);
  }
  closeFile(openRegularFile(spiece, 'a SentencePiece model')); // a regular file, not a link or FIFO
  let ids: { padId: number; endId: number };
  try {
    const tokenizer = await loadT5Tokenizer(spiece, { maxTokens: 1 });
    ids = { padId: tokenizer.padId, endId: tokenizer.endId };
  } catch (error) {
    throw new ImportRefused(`${spiece}: not a SentencePiece model (${(error as Error).message})`);
  }
  const configFile = path.join(t5Folder, 'tokenizer_config.json');
  if (fs.existsSync(configFile)) {
    parseBoundedJson(readSmallTextFile(configFile, 'tokenizer_config.json', 1024 * 1024), configFile, 'tokenizer_config.json', { maxBytes: 1024 * 1024, maxDepth: 32 });
  }
  return { path: spiece, ...ids };
}

function copyTokenizer(t5Folder: string, packageDir: string, inputs: Inputs): Record<string, unknown> {
  fs.copyFileSync(inputs.spiece.path, path.join(packageDir, 'spiece.model'));
  const configFile = path.join(t5Folder, 'tokenizer_config.json');
  if (fs.existsSync(configFile)) {
    fs.copyFileSync(configFile, path.join(packageDir, 'tokenizer_config.json'));
  }
  const maxTokens = inputs.sets.stdit.facts.model_max_length as number;
  return { kind: 'sentencepiece', modelFile: 'spiece.model', maxTokens, padId: inputs.spiece.padId, endId: inputs.spiece.endId, promptSuffix: PROMPT_SUFFIX };
}

/** The engine computes RoPE tables from 10000^(−2i/hd); a checkpoint with other frequencies cannot run. */
async function checkRope(inputs: Inputs): Promise<void> {
  if (!inputs.stdit.keys().includes('rope.freqs')) {
    return;
  }
  const facts = inputs.sets.stdit.facts as { hidden_size: number; num_heads: number };
  const headDim = facts.hidden_size / facts.num_heads;
  const freqs = toFloat32(await inputs.stdit.read('rope.freqs'));
  for (let i = 0; i < freqs.length; i++) {
    const want = Math.fround(10000 ** (-(2 * i) / headDim));
    if (Math.abs(freqs[i] - want) > 1e-7 + 1e-5 * Math.abs(want)) {
      throw new ImportRefused(`${inputs.stdit.label}: 'rope.freqs' is not 10000^(-2i/${headDim}); the studio computes the rotary tables from that formula and cannot run this checkpoint`);
    }
  }
}

/** Writes units from templates into the package folder. */
class UnitWriter {
  constructor(
    private readonly dir: string,
    private readonly precision: WeightsPrecision,
    private readonly signal?: AbortSignal,
  ) {}

  /** A unit with its own weights file. */
  async single(id: string, set: TemplateSet, kind: string, blockIndex: number | null, source: TensorSource): Promise<ModelUnit> {
    const weights = new WeightsFile(path.join(this.dir, `${id}.weights`), `${id}.weights`);
    const unit = await this.unit(id, set, kind, blockIndex, source, weights);
    weights.close();
    return unit;
  }

  async unit(id: string, set: TemplateSet, kind: string, blockIndex: number | null, source: TensorSource, weights: WeightsFile): Promise<ModelUnit> {
    throwIfAborted(this.signal);
    const template = set.units[kind] as UnitTemplate | undefined;
    if (!template) {
      throw new Error(`The ${set.role} templates of configuration '${set.config}' (${set.dir}) have no ${kind} graph: run npm run templates`);
    }
    const { residentBytes } = await instantiateUnit({
      template,
      templateDir: set.dir,
      blockIndex,
      source,
      weights,
      precision: this.precision,
      outFile: path.join(this.dir, `${id}.onnx`),
      signal: this.signal,
    });
    return { id, file: `${id}.onnx`, weightsFile: weights.name, sizeBytes: residentBytes, inputs: template.inputs, outputs: template.outputs };
  }
}

function prepareOut(out: string): string {
  if (pathExists(out) && !(fs.lstatSync(out).isDirectory() && fs.readdirSync(out).length === 0)) {
    throw new ImportRefused(`${out}: already exists; choose a new folder (nothing was changed)`);
  }
  const parent = path.dirname(out);
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory()) {
    throw new ImportRefused(`${parent}: the folder to create the package in does not exist`);
  }
  return fs.mkdtempSync(path.join(parent, partialPackagePrefix(out)));
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) {
    throw new ImportCancelled('The import was cancelled; nothing was written.');
  }
}

function float32Bytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function pad2(i: number): string {
  return String(i).padStart(2, '0');
}

function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
