import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAINS_DIR, writeChainWeights } from '../engine/runtime/chainFixture';
import { REPO_ROOT, makeTempDir, runPython } from './pythonExporter';

/**
 * The committed fixtures that `npm test` uses without Python are exactly what their one command makes now
 * (`npm run fixtures` = test/fixtures/make_fixtures.py): a change to the exporter, the parity writer or the chain
 * generator that is not followed by regenerating them fails here, naming the files that differ.
 */
const FIXTURES_DIR = path.join(REPO_ROOT, 'test', 'fixtures');

function listFiles(root: string, sub = ''): string[] {
  return fs.readdirSync(path.join(root, sub), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(sub, entry.name);
    return entry.isDirectory() ? listFiles(root, rel) : [rel];
  }).sort();
}

function differences(committed: string, made: string): string[] {
  const want = listFiles(made);
  const have = listFiles(committed);
  const problems = [
    ...want.filter((f) => !have.includes(f)).map((f) => `${f}: made by the command, not committed`),
    ...have.filter((f) => !want.includes(f)).map((f) => `${f}: committed, no longer made`),
  ];
  for (const file of want.filter((f) => have.includes(f))) {
    if (!fs.readFileSync(path.join(committed, file)).equals(fs.readFileSync(path.join(made, file)))) {
      problems.push(`${file}: bytes differ`);
    }
  }
  return problems;
}

describe('committed test fixtures are what `npm run fixtures` makes', () => {
  let scratch = '';
  beforeAll(() => {
    scratch = makeTempDir('studio-fixtures-');
    runPython([path.join(FIXTURES_DIR, 'make_fixtures.py'), '--out', scratch]);
  });
  afterAll(() => {
    if (scratch) {fs.rmSync(scratch, { recursive: true, force: true });}
  });

  it.each(['random-d2', 'random-d4', 'random-d2-f15', 'random-wide', 'opensora-tiny'])('package %s (manifest, ONNX units, weights, parity tensors)', (name) => {
    expect(differences(path.join(FIXTURES_DIR, 'packages', name), path.join(scratch, 'packages', name))).toEqual([]);
  });

  it('Open-Sora 1.2 checkpoints opensora-tiny (the Node importer\'s input, T5 in both published layouts)', () => {
    expect(differences(path.join(FIXTURES_DIR, 'checkpoints', 'opensora-tiny'), path.join(scratch, 'checkpoints', 'opensora-tiny'))).toEqual([]);
  });

  it.each(['runtime', 'stream-small', 'stream-large'])('chain %s (graphs, layout, numpy reference outputs)', (name) => {
    expect(differences(path.join(CHAINS_DIR, name), path.join(scratch, 'chains', name))).toEqual([]);
  });

  it('the shipped model\'s held-out prompts', () => {
    expect(differences(path.join(FIXTURES_DIR, 'shipped'), path.join(scratch, 'shipped'))).toEqual([]);
  });

  it('the TypeScript chain writer makes the same weights bytes as the Python generator', () => {
    const chainDir = makeTempDir('studio-chain-weights-');
    try {
      const spec = '{"hidden": [64, 128, 32, 1024], "width": 32, "rows": 8, "seed": 3}';
      runPython([path.join(FIXTURES_DIR, 'make_chain.py'), chainDir, spec]);
      const described = JSON.parse(fs.readFileSync(path.join(chainDir, 'chain.json'), 'utf8')) as { weightsFiles: Parameters<typeof writeChainWeights>[1] };
      const fromTs = makeTempDir('studio-chain-weights-ts-');
      writeChainWeights(fromTs, described.weightsFiles);
      for (const layout of described.weightsFiles) {
        const python = fs.readFileSync(path.join(chainDir, layout.file));
        expect(python.length, layout.file).toBeGreaterThan(0);
        expect(fs.readFileSync(path.join(fromTs, layout.file)).equals(python), layout.file).toBe(true);
      }
      fs.rmSync(fromTs, { recursive: true, force: true });
    } finally {
      fs.rmSync(chainDir, { recursive: true, force: true });
    }
  });
});
