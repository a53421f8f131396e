/**
 * Real ONNX test models: a chain of MatMul+Add+Tanh blocks with external weight files of different sizes, written by
 * fixtures/make_chain.py (Debian python3-onnx + numpy) into a temp dir, with numpy reference outputs. Every block also
 * has an "alt" graph reading the same weights file (like the studio's TDTM units).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ModelUnit } from '../../../src/shared/model/manifest';
import { tensorData, type TensorData, type TensorMap } from '../../../src/main/engine/runtime/types';
import type { StreamUnit } from '../../../src/main/engine/streaming/unitStreamer';

const GENERATOR = fileURLToPath(new URL('./fixtures/make_chain.py', import.meta.url));

export interface ChainSpec {
  /** Hidden width of each block; weights bytes ≈ 8·width·hidden. */
  readonly hidden: readonly number[];
  readonly width: number;
  readonly rows: number;
  readonly seed?: number;
}

export interface ChainFixture {
  readonly dir: string;
  readonly width: number;
  readonly rows: number;
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

export function makeChain(spec: ChainSpec): ChainFixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-chain-'));
  execFileSync('/usr/bin/python3', [GENERATOR, dir, JSON.stringify({ ...spec, seed: spec.seed ?? 0 })], { stdio: 'pipe' });
  const described = JSON.parse(readFileSync(path.join(dir, 'chain.json'), 'utf8')) as { width: number; rows: number; units: ModelUnit[]; altUnits: ModelUnit[] };
  const input = readFloat32(path.join(dir, 'input.f32'));
  const cond = readFloat32(path.join(dir, 'cond.f32'));
  const toStream = (unit: ModelUnit): StreamUnit => ({ id: unit.id, modelPath: path.join(dir, unit.file), sizeBytes: unit.sizeBytes });
  return {
    dir,
    width: described.width,
    rows: described.rows,
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

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    return Number.POSITIVE_INFINITY;
  }
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst;
}
