import fs from 'node:fs';
import path from 'node:path';
import type { GenerateRequest } from '../../../src/shared/domain/generation';
import type { RgbaClip } from '../../../src/main/engine/output/frames';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { locateBuiltinModel } from '../../../src/main/engine/paths';
import { comboFromTuple, type Combo } from './shapesWorld';

/**
 * The shipped model's held-out prompts: the 48 of models/tools/evaluate.py's deterministic held-out set
 * (combinations never seen in training, models/tools/data.py), committed as JSON so that `npm test` needs no
 * Python. test/model/judgeAgreement.test.ts checks the file still equals what the tool prints.
 */
export const HELD_OUT_PROMPT_COUNT = 48;
export const HELD_OUT_PROMPTS_FILE = path.resolve(__dirname, '../../fixtures/shipped/held-out-prompts.json');
/** The fixtures command remakes it (models/tools/judge_frames.py --prompts held-out N, through the model tools' Python). */
export const HELD_OUT_PROMPTS_COMMAND = 'npm run fixtures -- --only shipped-prompts';

export interface HeldOutPrompt {
  prompt: string;
  combo: Combo;
}

/** Reads and checks the committed prompts; a missing or malformed file is an error that says how to remake it. */
export function loadHeldOutPrompts(file = HELD_OUT_PROMPTS_FILE): HeldOutPrompt[] {
  const remake = `remake it with: ${HELD_OUT_PROMPTS_COMMAND}`;
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing; ${remake}`);
  }
  const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(entries) || entries.length !== HELD_OUT_PROMPT_COUNT) {
    throw new Error(`${file} must hold ${HELD_OUT_PROMPT_COUNT} prompts; ${remake}`);
  }
  return entries.map((entry: { prompt?: unknown; combo?: unknown }, index) => {
    if (typeof entry.prompt !== 'string' || entry.prompt.length === 0) {
      throw new Error(`${file}: prompt ${index} has no text; ${remake}`);
    }
    return { prompt: entry.prompt, combo: comboFromTuple(entry.combo) };
  });
}

/** models/shapes-tiny, or an error naming what is missing and how to make it. */
export function shippedModelDir(): string {
  const dir = locateBuiltinModel();
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`the shipped model ${dir} has no manifest.json: restore models/shapes-tiny from git or run \`npm run model:export\``);
  }
  return dir;
}

/** The seed of the first prompt in the quality runs (models/README.md reports the runs from it). */
export const SHIPPED_SEED_BASE = 100;

/** One clip per prompt from the shipped model through the TypeScript engine; prompt i uses seed seedBase + i. */
export async function generateShippedClips(
  prompts: readonly { prompt: string }[],
  settings: Partial<GenerateRequest> = {},
  seedBase = SHIPPED_SEED_BASE,
): Promise<RgbaClip[]> {
  const modelPath = shippedModelDir();
  const clips: RgbaClip[] = [];
  for (const [index, { prompt }] of prompts.entries()) {
    const { clip } = await generateVideo({ prompt, seed: seedBase + index, modelPath, ...settings }, { previews: false });
    clips.push(clip);
  }
  return clips;
}
