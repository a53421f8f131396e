import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../src/shared/domain/generation';
import { JUDGED_ATTRIBUTES, judgeClip, scoreClips, type Accuracy, type RgbaFrames, type Verdict } from '../engine/shipped/judge';
import { COLOUR_NAMES, COLOURS, MOTIONS, SHAPES, STILL, comboFromTuple, type Combo } from '../engine/shipped/shapesWorld';
import { HELD_OUT_PROMPT_COUNT, HELD_OUT_PROMPTS_COMMAND, HELD_OUT_PROMPTS_FILE, generateShippedClips, loadHeldOutPrompts } from '../engine/shipped/shippedModel';

/**
 * The TypeScript judge that `npm test` uses on the shipped model (test/engine/shipped/judge.ts) and the Python
 * judge that training evaluation uses (models/tools/scorer.py, through judge_frames.py) give the same verdict —
 * background, object colour, shape and motion — on every clip of one set: every combination of the world
 * rendered by models/tools/data.py, longer and larger clips, degraded clips (noise, blur, missing frames,
 * off-palette colours, tiny or no objects, pure noise) and clips the engine makes from the shipped model at
 * full steps and at settings that draw it badly. Also: both use data.py's words, and the committed held-out
 * prompts are still what the Python tool prints.
 */
const PYTHON = process.env.STUDIO_PYTHON ?? '/usr/bin/python3';
const ROOT = path.resolve(__dirname, '../..');
const CLIP_MAKER = path.join(__dirname, 'judge_agreement_clips.py');
const JUDGE_FRAMES = path.join(ROOT, 'models/tools/judge_frames.py');
/** Engine clips: the held-out prompts at the package defaults and at two settings that degrade the drawing. */
const ENGINE_SETTINGS: Record<string, Partial<GenerateRequest>> = {
  'engine-full': {},
  'engine-4-steps': { steps: 4 },
  'engine-leap-at-1': { lpl: { kind: 'fixed', leapStep: 1 } },
};

interface IndexEntry { file: string; frames: number; height: number; width: number; combo: string[]; group: string }

function python(args: string[]): string {
  const result = spawnSync(PYTHON, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (result.status !== 0) {
    throw new Error(`${PYTHON} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`);
  }
  return result.stdout;
}

const comboTuple = ({ object, shape, motion, background }: Combo): string[] => [object, shape, motion, background];

function readClip(dir: string, entry: IndexEntry): RgbaFrames {
  const bytes = fs.readFileSync(path.join(dir, entry.file));
  const frameBytes = entry.width * entry.height * 4;
  const frames = Array.from({ length: entry.frames }, (_, f) => new Uint8Array(bytes.buffer, bytes.byteOffset + f * frameBytes, frameBytes));
  return { width: entry.width, height: entry.height, frames };
}

describe('the TypeScript judge agrees with the Python judge', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("uses data.py's colours, shapes and motions", () => {
    const vocabulary = JSON.parse(python([CLIP_MAKER, '--vocabulary'])) as { colours: Record<string, number[]>; shapes: string[]; motions: string[] };
    expect(Object.keys(vocabulary.colours)).toEqual(COLOUR_NAMES);
    for (const name of COLOUR_NAMES) {
      expect(COLOURS[name].map(Math.fround), name).toEqual(vocabulary.colours[name]);
    }
    expect(vocabulary.shapes).toEqual([...SHAPES]);
    expect(vocabulary.motions).toEqual([...MOTIONS]);
  });

  it('the committed held-out prompts equal what the Python tool prints now', () => {
    const now = JSON.parse(python([JUDGE_FRAMES, '--prompts', 'held-out', String(HELD_OUT_PROMPT_COUNT)])) as unknown;
    const committed = JSON.parse(fs.readFileSync(HELD_OUT_PROMPTS_FILE, 'utf8')) as unknown;
    expect(committed, `${HELD_OUT_PROMPTS_FILE} is stale; remake it with: ${HELD_OUT_PROMPTS_COMMAND}`).toEqual(now);
  });

  it('gives the same verdict on every clip: rendered, degraded and made by the engine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-judge-agreement-'));
    dirs.push(dir);
    python([CLIP_MAKER, dir]);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { clips: IndexEntry[] };
    const prompts = loadHeldOutPrompts();
    for (const [group, settings] of Object.entries(ENGINE_SETTINGS)) {
      const clips = await generateShippedClips(prompts, settings);
      clips.forEach((clip, i) => {
        const file = `${group}-${i}.rgba`;
        fs.writeFileSync(path.join(dir, file), Buffer.concat(clip.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))));
        index.clips.push({ file, frames: clip.frames.length, height: clip.height, width: clip.width, combo: comboTuple(prompts[i].combo), group });
      });
    }
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    const byPython = JSON.parse(python([JUDGE_FRAMES, path.join(dir, 'index.json')])) as { accuracy: Accuracy; verdicts: Verdict[] };

    const judged = index.clips.map((entry) => ({ entry, clip: readClip(dir, entry), combo: comboFromTuple(entry.combo) }));
    const verdicts = judged.map(({ clip }) => judgeClip(clip));
    const groups = new Map<string, { clips: number; agreed: number; fieldsAgreed: number }>();
    const disagreements: string[] = [];
    judged.forEach(({ entry }, i) => {
      const tally = groups.get(entry.group) ?? { clips: 0, agreed: 0, fieldsAgreed: 0 };
      const fieldsAgreed = JUDGED_ATTRIBUTES.filter((field) => verdicts[i][field] === byPython.verdicts[i][field]).length;
      tally.clips += 1;
      tally.fieldsAgreed += fieldsAgreed;
      tally.agreed += fieldsAgreed === JUDGED_ATTRIBUTES.length ? 1 : 0;
      groups.set(entry.group, tally);
      if (fieldsAgreed < JUDGED_ATTRIBUTES.length) {
        disagreements.push(`${entry.file}: TypeScript ${JSON.stringify(verdicts[i])}, Python ${JSON.stringify(byPython.verdicts[i])}`);
      }
    });
    console.info(`[judge agreement] ${judged.length} clips; per group (clips agreed/clips): ${[...groups].map(([group, t]) => `${group} ${t.agreed}/${t.clips}`).join(', ')}`);
    expect(byPython.verdicts).toHaveLength(judged.length);
    expect(disagreements, disagreements.slice(0, 10).join('\n')).toEqual([]);
    expect(scoreClips(judged).accuracy).toEqual(byPython.accuracy);

    // The set reaches every word and every "not seen" of the judge, so agreeing is not agreeing on easy clips only.
    const seen = (field: keyof Verdict): Set<string | null> => new Set(verdicts.map((verdict) => verdict[field]));
    expect([...seen('background')]).toEqual(expect.arrayContaining(COLOUR_NAMES));
    expect([...seen('object')]).toEqual(expect.arrayContaining([...COLOUR_NAMES, null]));
    expect([...seen('shape')]).toEqual(expect.arrayContaining([...SHAPES, null]));
    expect([...seen('motion')]).toEqual(expect.arrayContaining([...MOTIONS, STILL, null]));
    expect(scoreClips(judged).accuracy.bar, 'the set holds clips the judge calls wrong').toBeLessThan(1);
  }, 600_000);
});
