/**
 * Real ONNX test models: chains of MatMul+Add+Tanh blocks with external weight files of different sizes, committed
 * under test/fixtures/chains/ (graphs, layout and numpy reference outputs, made by test/fixtures/make_chain.py).
 * The weights, input and cond are counter-hashed numbers that this file writes into a temp copy, bit-identical to
 * what the Python generator wrote (test/model/fixtures.test.ts checks that). Every block also has an "alt" graph
 * reading the same weights file (like the studio's TDTM units).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ModelUnit } from '../../../src/shared/model/manifest';
import { tensorData, type TensorData, type TensorMap } from '../../../src/main/engine/runtime/types';
import type { StreamUnit } from '../../../src/main/engine/streaming/unitStreamer';
import { hashedUniform, type HashedTensor } from '../support/hashedValues';

export const CHAINS_DIR = path.resolve(__dirname, '../../fixtures/chains');

/** The committed chains (test/fixtures/make_fixtures.py lists their specs). */
export type ChainName = 'runtime' | 'stream-small' | 'stream-large';

interface WeightsLayout {
  readonly file: string;
  readonly sizeBytes: number;
  readonly tensors: readonly (HashedTensor & { name: string; offset: number; length: number })[];
}

interface ChainDescription {
  readonly width: number;
  readonly rows: number;
  readonly expectedRows: number;
  readonly input: HashedTensor;
  readonly cond: HashedTensor;
  readonly weightsFiles: readonly WeightsLayout[];
  readonly units: ModelUnit[];
  readonly altUnits: ModelUnit[];
}

export interface ChainFixture {
  readonly dir: string;
  readonly width: number;
  readonly rows: number;
  /** How many leading rows the reference outputs cover (all rows except for the large chain). */
  readonly expectedRows: number;
  readonly units: readonly ModelUnit[];
  readonly altUnits: readonly ModelUnit[];
  readonly input: Float32Array;
  readonly cond: Float32Array;
  readonly expectedMain: Float32Array;
  readonly expectedAlt: Float32Array;
  streamUnits(set: 'main' | 'alt'): StreamUnit[];
  /** Feeds for unit i: the previous unit's h_out (or the fixed input) plus the shared `cond` (list it in keepFeeds). */
  feedsFor(cond: TensorData): (unitIndex: number, previous: TensorMap | null) => TensorMap;
  cleanup(): void;
}

function readFloat32(file: string): Float32Array {
  const bytes = readFileSync(file);
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

/** Writes each weights file of a chain from its layout: hashed tensors at their offsets, zero padding between. */
export function writeChainWeights(dir: string, layouts: readonly WeightsLayout[]): void {
  for (const layout of layouts) {
    const bytes = new Uint8Array(layout.sizeBytes);
    for (const tensor of layout.tensors) {
      const values = hashedUniform(tensor);
      if (values.byteLength !== tensor.length) {
        throw new Error(`${layout.file}: tensor ${tensor.name} has ${values.byteLength} bytes, layout says ${tensor.length}`);
      }
      bytes.set(new Uint8Array(values.buffer), tensor.offset);
    }
    writeFileSync(path.join(dir, layout.file), bytes);
  }
}

/** A temp copy of a committed chain with its weights written; `cleanup()` removes it. */
export function loadChain(name: ChainName): ChainFixture {
  const dir = mkdtempSync(path.join(tmpdir(), `studio-chain-${name}-`));
  cpSync(path.join(CHAINS_DIR, name), dir, { recursive: true });
  const described = JSON.parse(readFileSync(path.join(dir, 'chain.json'), 'utf8')) as ChainDescription;
  writeChainWeights(dir, described.weightsFiles);
  const input = hashedUniform(described.input);
  const cond = hashedUniform(described.cond);
  const toStream = (unit: ModelUnit): StreamUnit => ({
    id: unit.id,
    modelPath: path.join(dir, unit.file),
    sizeBytes: unit.sizeBytes,
    ...(unit.weightsFile ? { weightsPath: path.join(dir, unit.weightsFile) } : {}),
  });
  return {
    dir,
    width: described.width,
    rows: described.rows,
    expectedRows: described.expectedRows,
    units: described.units,
    altUnits: described.altUnits,
    input,
    cond,
    expectedMain: readFloat32(path.join(dir, 'expected.main.f32')),
    expectedAlt: readFloat32(path.join(dir, 'expected.alt.f32')),
    streamUnits: (set) => (set === 'main' ? described.units : described.altUnits).map(toStream),
    feedsFor: (condTensor) => (unitIndex, previous) => {
      const h = unitIndex === 0 || !previous ? tensorData('float32', [described.rows, described.width], input.slice()) : previous.h_out;
      return { h, cond: condTensor };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function condTensor(fixture: ChainFixture): TensorData {
  return tensorData('float32', [1, fixture.width], fixture.cond.slice());
}

/** Chains' reference outputs may cover only the leading rows (the large chain's 32 of 512). */
export { maxAbsDiffLeading as maxAbsDiff } from '../support/tensorCompare';
