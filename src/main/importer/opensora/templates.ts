import fs from 'node:fs';
import path from 'node:path';
import type { TensorSpec } from '@shared/model/manifest';
import { ImportRefused } from '../errors';
import { TIED_T5_ALIAS, type TensorSource } from '../tensorSource';

/** Which checkpoint a template set is for. */
export type Role = 't5' | 'stdit' | 'vae';

/** One initializer of a template graph: the checkpoint key it comes from (`{i}` = block index) and its transform. */
export interface InitializerSource {
  name: string;
  key: string;
  dims: number[];
  /** A 2-D checkpoint tensor stored transposed (a Linear weight feeding MatMul). */
  transform?: 'transpose';
}

export interface UnitTemplate {
  file: string;
  initializers: InitializerSource[];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/**
 * One role's templates at one configuration (models/templates/opensora-1.2/<role>/<config>/template.json, made by
 * models/tools/opensora/make_templates.py): the sizes it stands for, the checkpoint's complete key → shape list
 * (`blockKeys` once per block), and the weightless graph of each unit kind.
 */
export interface TemplateSet {
  role: Role;
  config: string;
  dir: string;
  facts: Record<string, unknown>;
  keys: Record<string, number[]>;
  blockKeys: Record<string, number[]>;
  units: Record<string, UnitTemplate>;
}

export function loadTemplateSets(root: string, role: Role): TemplateSet[] {
  const roleDir = path.join(root, role);
  if (!fs.existsSync(roleDir)) {
    throw new Error(`No ${role} templates in ${root}: run npm run templates`);
  }
  return fs
    .readdirSync(roleDir)
    .sort()
    .map((config) => {
      const dir = path.join(roleDir, config);
      const doc = JSON.parse(fs.readFileSync(path.join(dir, 'template.json'), 'utf8')) as Omit<TemplateSet, 'dir'>;
      return { ...doc, dir };
    });
}

/** The full key → shape list of a checkpoint with `blocks` blocks. */
export function expectedKeys(set: TemplateSet, blocks: number): Map<string, number[]> {
  const expected = new Map(Object.entries(set.keys));
  for (let i = 0; i < blocks; i++) {
    for (const [pattern, shape] of Object.entries(set.blockKeys)) {
      expected.set(pattern.replace('{i}', String(i)), shape);
    }
  }
  return expected;
}

/** Keys a checkpoint may hold or lack without changing the model. */
const TOLERATED_EXTRA: Record<Role, string[]> = { t5: [TIED_T5_ALIAS], stdit: [], vae: [] };
const TOLERATED_MISSING: Record<Role, string[]> = { t5: [], stdit: ['rope.freqs'], vae: [] };

/** Every missing, unexpected or mis-shaped key, each naming its file. */
export function compareKeys(set: TemplateSet, blocks: number, source: TensorSource): string[] {
  const expected = expectedKeys(set, blocks);
  const held = new Set(source.keys());
  const problems: string[] = [];
  for (const [key, shape] of [...expected].sort(([a], [b]) => a.localeCompare(b))) {
    if (!held.has(key)) {
      if (!TOLERATED_MISSING[set.role].includes(key)) {
        problems.push(`${source.label}: missing key '${key}' (expected shape [${shape.join(', ')}])`);
      }
      continue;
    }
    const got = source.shape(key);
    if (got.join(',') !== shape.join(',')) {
      problems.push(`${source.fileOf(key)}: shape mismatch for '${key}': file has [${got.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
  for (const key of [...held].sort()) {
    if (!expected.has(key) && !TOLERATED_EXTRA[set.role].includes(key)) {
      problems.push(`${source.fileOf(key)}: unexpected key '${key}'`);
    }
  }
  return problems;
}

const ROLE_NAMES: Record<Role, string> = { t5: 'T5 encoder', stdit: 'STDiT3', vae: 'VAE' };

/**
 * The template set whose key list the checkpoint matches exactly. None: refused, naming what differs from the
 * closest set (fewest differences), with its configuration's name, so a new configuration is a new template set.
 */
export function selectTemplate(sets: TemplateSet[], blocks: number, source: TensorSource): TemplateSet {
  let best: { set: TemplateSet; problems: string[] } | null = null;
  for (const set of sets) {
    const problems = compareKeys(set, blocks, source);
    if (problems.length === 0) {
      return set;
    }
    if (!best || problems.length < best.problems.length) {
      best = { set, problems };
    }
  }
  if (!best) {
    throw new ImportRefused(`${source.label}: no ${ROLE_NAMES[sets[0]?.role ?? 't5']} templates are installed`);
  }
  const shown = best.problems.slice(0, 20).join('\n  ');
  const more = best.problems.length > 20 ? `\n  … and ${best.problems.length - 20} more` : '';
  const role = ROLE_NAMES[best.set.role];
  throw new ImportRefused(
    `checkpoint does not match the Open-Sora 1.2 layout: no ${role} template covers ${source.label} (templates: ${sets.map((s) => s.config).join(', ')}); ` +
      `against the closest, '${best.set.config}' (${describeFacts(best.set.facts)}):\n  ${shown}${more}`,
  );
}

function describeFacts(facts: Record<string, unknown>): string {
  return Object.entries(facts)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
