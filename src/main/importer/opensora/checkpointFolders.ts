import fs from 'node:fs';
import path from 'node:path';
import { parseBoundedJson } from '../boundedJson';
import { ImportRefused } from '../errors';
import { readSmallTextFile } from '../regularFile';
import type { Role } from './templates';

/** The three folders as Open-Sora 1.2 publishes them. */
export interface CheckpointFolders {
  /** hpcai-tech/OpenSora-STDiT-v3: config.json + model.safetensors */
  stdit: string;
  /** hpcai-tech/OpenSora-VAE-v1.2: config.json + model.safetensors */
  vae: string;
  /** DeepFloyd/t5-v1_1-xxl: config.json, spiece.model, tokenizer_config.json, weight shards + index */
  t5: string;
}

export const ROLES: Record<Role, { flag: string; modelType: string; published: string }> = {
  stdit: { flag: '--stdit', modelType: 'STDiT3', published: 'hpcai-tech/OpenSora-STDiT-v3' },
  vae: { flag: '--vae', modelType: 'VideoAutoencoderPipeline', published: 'hpcai-tech/OpenSora-VAE-v1.2' },
  t5: { flag: '--t5', modelType: 't5', published: 'DeepFloyd/t5-v1_1-xxl' },
};

const MAX_CONFIG_BYTES = 1024 * 1024;

export type JsonObject = Record<string, unknown>;

/** config.json of the folder given for `role`; refuses a missing/invalid file or a folder of another role. */
export function readConfig(folder: string, role: Role): JsonObject {
  const spec = ROLES[role];
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new ImportRefused(`${spec.flag} ${folder}: not a folder`);
  }
  const file = path.join(folder, 'config.json');
  if (!fs.existsSync(file) && !isLink(file)) {
    throw new ImportRefused(`${file}: missing; ${spec.flag} expects the ${spec.published} folder`);
  }
  const cfg = parseBoundedJson(readSmallTextFile(file, 'config.json', MAX_CONFIG_BYTES), file, 'config.json', { maxBytes: MAX_CONFIG_BYTES, maxDepth: 32 });
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
    throw new ImportRefused(`${file}: not a JSON object`);
  }
  const found = (cfg as JsonObject).model_type;
  if (found !== spec.modelType) {
    const other = (Object.keys(ROLES) as Role[]).find((r) => ROLES[r].modelType === found);
    const hint = other ? ` — that is the ${ROLES[other].published} folder; pass it to ${ROLES[other].flag}` : '';
    throw new ImportRefused(`${file}: model_type is ${pyRepr(found)}, but ${spec.flag} expects '${spec.modelType}' (${spec.published})${hint}`);
  }
  return cfg as JsonObject;
}

/** A positive integer field no larger than `max` (an absurd count would size loops and key lists). */
export function configInt(cfg: JsonObject, file: string, field: string, max: number): number {
  const value = cfg[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new ImportRefused(`${file}: field '${field}' must be a positive integer of at most ${max}, found ${pyRepr(value)}`);
  }
  return value;
}

/** Values quoted as the Python importer quotes them ('x', 128, None), so messages read the same. */
export function pyRepr(value: unknown): string {
  if (value === undefined || value === null) {
    return 'None';
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return JSON.stringify(value);
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
