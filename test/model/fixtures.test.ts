import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAINS_DIR, writeChainWeights } from '../engine/runtime/chainFixture';
import { REPO_ROOT, makeTempDir, runPython } from './pythonExporter';
import { compareTensors } from '../../src/main/bench/precision/tensorDifference';

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

/**
 * Parity and reference tensors are float32 outputs of PyTorch: OpenBLAS picks its kernels (and so its summation
 * order) per CPU, so the same command gives bit-different tensors on AVX2 and AVX-512 machines. They count as fresh
 * when their largest difference is within float32 reordering of their largest magnitude, far below the engine's
 * parity tolerances (2e-5 and up) and far below what a change to the exporter or the writer makes.
 */
const PARITY_RELATIVE_TOLERANCE = 1e-5;
/** Where the packages keep PyTorch's outputs: `parity/` (per unit) and `reference/` (the opensora-tiny pipeline). */
const PARITY_FOLDERS = new Set(['parity', 'reference']);

/** The largest |a − b| over the largest |b|, reading both as float32; Infinity when they cannot be compared. */
function float32RelativeDifference(a: Buffer, b: Buffer): number {
  if (a.length !== b.length || a.length % 4 !== 0) {return Infinity;}
  const asFloat32 = (bytes: Buffer): Float32Array => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return compareTensors(asFloat32(a), asFloat32(b)).maxAbsRelative;
}

function differences(committed: string, made: string): string[] {
  const want = listFiles(made);
  const have = listFiles(committed);
  const problems = [
    ...want.filter((f) => !have.includes(f)).map((f) => `${f}: made by the command, not committed`),
    ...have.filter((f) => !want.includes(f)).map((f) => `${f}: committed, no longer made`),
  ];
  for (const file of want.filter((f) => have.includes(f))) {
    const committedBytes = fs.readFileSync(path.join(committed, file));
    const madeBytes = fs.readFileSync(path.join(made, file));
    if (committedBytes.equals(madeBytes)) {continue;}
    const isParityTensor = file.endsWith('.bin') && file.split(path.sep).some((part) => PARITY_FOLDERS.has(part));
    const relative = isParityTensor ? float32RelativeDifference(committedBytes, madeBytes) : Infinity;
    if (!(relative <= PARITY_RELATIVE_TOLERANCE)) {
      problems.push(isParityTensor ? `${file}: differs by ${relative.toExponential(2)} of its largest value` : `${file}: bytes differ`);
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
