import fs from 'node:fs';
import path from 'node:path';
import { parseBoundedJson } from './boundedJson';
import { ImportRefused } from './errors';
import { readSmallTextFile } from './regularFile';
import { SafetensorsFile } from './safetensors';
import { TorchZipFile } from './torchZip';
import type { RawTensor } from './tensorData';

/**
 * The tensors of one checkpoint folder: names and shapes known up front (from safetensors headers and the pickles
 * of zip-format shards), each tensor read on demand, one at a time. Errors name the file that holds the key.
 */
export interface TensorSource {
  /** What to name in a message about the whole source (a file, or the shard index). */
  readonly label: string;
  keys(): string[];
  shape(key: string): number[];
  fileOf(key: string): string;
  read(key: string): Promise<RawTensor>;
  close(): void;
}

/** The tied copy of `shared.weight` that pickled T5 checkpoints hold. */
export const TIED_T5_ALIAS = 'encoder.embed_tokens.weight';
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const MAX_SHARDS = 10_000;
/** A shard named by an index: a plain file name in the same folder (no separators, no "..", no hidden tricks). */
const SHARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

type Shard = SafetensorsFile | TorchZipFile;

class ShardedSource implements TensorSource {
  constructor(
    readonly label: string,
    private readonly folder: string,
    private readonly weightMap: Map<string, string>,
    private readonly shards: Map<string, Shard>,
  ) {}

  keys(): string[] {
    return [...this.weightMap.keys()];
  }

  private shard(key: string): Shard {
    const name = this.weightMap.get(key);
    if (name === undefined) {
      throw new ImportRefused(`${this.label}: has no tensor '${key}'`);
    }
    return this.shards.get(name)!;
  }

  shape(key: string): number[] {
    const shard = this.shard(key);
    return shard instanceof SafetensorsFile ? shard.entries.get(key)!.shape : shard.shape(key);
  }

  fileOf(key: string): string {
    return path.join(this.folder, this.weightMap.get(key) ?? '');
  }

  async read(key: string): Promise<RawTensor> {
    const shard = this.shard(key);
    return shard instanceof SafetensorsFile ? shard.read(key) : await shard.read(key);
  }

  close(): void {
    for (const shard of this.shards.values()) {
      shard.close();
    }
  }
}

/** A folder's `model.safetensors` (STDiT3, VAE) as a source. */
export function openSafetensorsSource(file: string): TensorSource {
  const st = SafetensorsFile.open(file);
  const names = new Map([...st.entries.keys()].map((k) => [k, path.basename(file)]));
  return new ShardedSource(file, path.dirname(file), names, new Map([[path.basename(file), st]]));
}

async function openShard(file: string): Promise<Shard> {
  if (file.endsWith('.safetensors')) {
    return SafetensorsFile.open(file);
  }
  if (!TorchZipFile.looksLikeZip(file)) {
    throw new ImportRefused(`${file}: not in PyTorch's zip format (torch.save since 1.6); a legacy-format or foreign pickle is not read. Save it again with a current torch, or use the safetensors shards`);
  }
  return TorchZipFile.open(file);
}

/**
 * T5 weights as DeepFloyd/t5-v1_1-xxl publishes them: `model.safetensors.index.json` or
 * `pytorch_model.bin.index.json` (weight_map: key → shard file name in the same folder) over safetensors or
 * zip-format pickled shards, or one `model.safetensors` / `pytorch_model.bin`. Every shard's key list must be
 * what the index places in it (the tied alias of the embedding excepted).
 */
export async function openShardedWeights(folder: string): Promise<TensorSource> {
  for (const indexName of ['model.safetensors.index.json', 'pytorch_model.bin.index.json']) {
    const indexPath = path.join(folder, indexName);
    if (fs.existsSync(indexPath)) {
      return openIndexed(folder, indexPath, readWeightMap(indexPath));
    }
  }
  for (const single of ['model.safetensors', 'pytorch_model.bin']) {
    const file = path.join(folder, single);
    if (fs.existsSync(file)) {
      const shard = await openShard(file);
      const keys = shard instanceof SafetensorsFile ? [...shard.entries.keys()] : [...shard.tensors.keys()];
      return new ShardedSource(file, folder, new Map(keys.map((k) => [k, single])), new Map([[single, shard]]));
    }
  }
  throw new ImportRefused(`${folder}: no T5 weights: expected pytorch_model.bin.index.json + pytorch_model-0000N-of-0000M.bin shards (or model.safetensors.index.json + shards)`);
}

function readWeightMap(indexPath: string): Map<string, string> {
  const index = parseBoundedJson(readSmallTextFile(indexPath, 'shard index', MAX_INDEX_BYTES), indexPath, 'the shard index', { maxBytes: MAX_INDEX_BYTES, maxDepth: 8 });
  const weightMap = typeof index === 'object' && index !== null && !Array.isArray(index) ? (index as { weight_map?: unknown }).weight_map : undefined;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap) || Object.keys(weightMap).length === 0) {
    throw new ImportRefused(`${indexPath}: needs a non-empty "weight_map" of key → shard file name`);
  }
  const map = new Map<string, string>();
  for (const [key, shard] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof shard !== 'string' || !SHARD_NAME.test(shard) || shard.includes('..')) {
      throw new ImportRefused(`${indexPath}: "weight_map" places '${key}' in ${JSON.stringify(shard)}, which is not a file name in this folder`);
    }
    map.set(key, shard);
  }
  return map;
}

async function openIndexed(folder: string, indexPath: string, weightMap: Map<string, string>): Promise<TensorSource> {
  const names = [...new Set(weightMap.values())].sort();
  if (names.length > MAX_SHARDS) {
    throw new ImportRefused(`${indexPath}: names ${names.length} shards`);
  }
  for (const name of names) {
    if (!fs.existsSync(path.join(folder, name)) && !isLink(path.join(folder, name))) {
      const keys = [...weightMap].filter(([, s]) => s === name).map(([k]) => k);
      throw new ImportRefused(`${indexPath}: names shard '${name}' (for ${keys.length} keys, e.g. '${keys[0]}') but ${path.join(folder, name)} does not exist`);
    }
  }
  const shards = new Map<string, Shard>();
  try {
    for (const name of names) {
      const shard = await openShard(path.join(folder, name));
      shards.set(name, shard);
      const held = new Set(shard instanceof SafetensorsFile ? shard.entries.keys() : shard.tensors.keys());
      const listed = [...weightMap].filter(([, s]) => s === name).map(([k]) => k);
      const absent = listed.filter((k) => !held.has(k)).sort();
      if (absent.length) {
        throw new ImportRefused(`${shard.path}: lacks '${absent[0]}', which ${indexPath} places in it`);
      }
      const extra = [...held].filter((k) => weightMap.get(k) !== name && k !== TIED_T5_ALIAS).sort();
      if (extra.length) {
        throw new ImportRefused(`${shard.path}: holds '${extra[0]}', which ${indexPath} does not list`);
      }
    }
  } catch (error) {
    for (const shard of shards.values()) {
      shard.close();
    }
    throw error;
  }
  return new ShardedSource(indexPath, folder, weightMap, shards);
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
