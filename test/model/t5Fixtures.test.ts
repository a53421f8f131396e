import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * test/fixtures/t5 is what test/fixtures/t5/make_fixtures.py writes: regenerating it here must give the committed
 * files (the Node suite checks the TypeScript tokenizer and prompt preparation against them without Python).
 */
const PYTHON = process.env.STUDIO_PYTHON ?? '/usr/bin/python3';
const FIXTURE_DIR = path.resolve('test/fixtures/t5');
const SCRIPT = path.join(FIXTURE_DIR, 'make_fixtures.py');

function runMakeFixtures(args: string[]): void {
  const run = spawnSync(PYTHON, [SCRIPT, ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (run.error) {
    throw new Error(`Cannot run ${PYTHON} (set STUDIO_PYTHON to a python3 with sentencepiece): ${run.error.message}`);
  }
  expect(run.status, `${SCRIPT} ${args.join(' ')} failed (it needs sentencepiece: Debian python3-sentencepiece):\n${run.stderr}`).toBe(0);
}

function sentencepieceVersion(): string {
  const probe = spawnSync(PYTHON, ['-c', 'import sentencepiece; print(sentencepiece.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : `unavailable (${probe.stderr.trim().split('\n').pop()})`;
}

describe('T5 fixtures (make_fixtures.py)', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 't5-fixtures-'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('re-derives every id of cases.json with SentencePiece from the committed spiece.model', () => {
    const out = path.join(scratch, 'ids');
    runMakeFixtures(['--out', out]);
    expect(fs.readFileSync(path.join(out, 'cases.json'), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE_DIR, 'cases.json'), 'utf8'));
  });

  it('retrains the same spiece.model and no-pad.model from the generated corpus (fixed seed)', () => {
    const out = path.join(scratch, 'trained');
    runMakeFixtures(['--out', out, '--train']);
    const trained = fs.readFileSync(path.join(out, 'spiece.model'));
    const committed = fs.readFileSync(path.join(FIXTURE_DIR, 'spiece.model'));
    expect(
      trained.equals(committed),
      `a model trained by sentencepiece ${sentencepieceVersion()} differs from the committed one (trained by Debian bookworm's sentencepiece 0.1.97)`,
    ).toBe(true);
    expect(fs.readFileSync(path.join(out, 'no-pad.model')).equals(fs.readFileSync(path.join(FIXTURE_DIR, 'no-pad.model')))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'cases.json'), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE_DIR, 'cases.json'), 'utf8'));
  });
});
