import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../../src/shared/domain/generation';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { locateBuiltinModel } from '../../../src/main/engine/paths';
import { pythonUnavailableReason } from '../support/randomPackage';

/**
 * The shipped model's quality as the studio delivers it: clips made by the TypeScript engine (ONNX units,
 * package defaults) on held-out prompts, judged by the same scorer as models/tools/evaluate.py
 * (models/tools/judge_frames.py). The floor is the quality bar (≥ 85 % of background, object colour
 * and motion checks), at full steps and with the LPL leap at 15/30; measured results are in models/README.md.
 */
const PYTHON = '/usr/bin/python3';
const JUDGE = path.resolve('models/tools/judge_frames.py');
const PROMPTS = 16;
const QUALITY_BAR = 0.85;
const FLOOR = { background: QUALITY_BAR, object: QUALITY_BAR, motion: 0.75, bar: QUALITY_BAR };
const LPL_LEAP_STEP = 15;

interface Prompt { prompt: string; combo: [string, string, string, string] }
interface Accuracy { background: number; object: number; shape: number; motion: number; bar: number }

const modelDir = locateBuiltinModel();
const skipReason = pythonUnavailableReason()
  ?? (fs.existsSync(path.join(modelDir, 'manifest.json')) ? undefined : 'models/shapes-tiny is not exported');
if (skipReason) {
  console.warn(`[shipped model quality] skipped: ${skipReason}`);
}

function python(args: string[]): string {
  const result = spawnSync(PYTHON, [JUDGE, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`judge_frames.py ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout;
}

describe.skipIf(Boolean(skipReason))('shipped model quality through the engine (held-out prompts)', () => {
  let dir = '';
  let prompts: Prompt[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-quality-'));
    prompts = JSON.parse(python(['--prompts', 'held-out', String(PROMPTS)])) as Prompt[];
  });
  afterAll(() => {
    if (dir) {fs.rmSync(dir, { recursive: true, force: true });}
  });

  async function judgeRun(label: string, extra: Partial<GenerateRequest>): Promise<Accuracy> {
    const clips = [];
    for (const [i, { prompt, combo }] of prompts.entries()) {
      const { clip } = await generateVideo({ prompt, seed: 100 + i, modelPath: modelDir, ...extra });
      const file = `${label}-${i}.rgba`;
      fs.writeFileSync(path.join(dir, file), Buffer.concat(clip.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))));
      clips.push({ file, frames: clip.frames.length, height: clip.height, width: clip.width, combo });
    }
    const index = path.join(dir, `${label}.json`);
    fs.writeFileSync(index, JSON.stringify({ clips }));
    const { accuracy } = JSON.parse(python([index])) as { accuracy: Accuracy };
    console.info(`[shipped model quality] ${label}: ${JSON.stringify(accuracy)}`);
    return accuracy;
  }

  it('meets the quality bar at the default steps and with the LPL leap at 15/30', async () => {
    const full = await judgeRun('full', {});
    const lpl = await judgeRun('lpl', { lpl: { kind: 'fixed', leapStep: LPL_LEAP_STEP } });
    for (const key of Object.keys(FLOOR) as (keyof typeof FLOOR)[]) {
      expect(full[key], `${key} at full steps`).toBeGreaterThanOrEqual(FLOOR[key]);
    }
    expect(lpl.bar, 'bar with the LPL leap').toBeGreaterThanOrEqual(QUALITY_BAR);
  }, 240_000);
});
