import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema } from '../../../src/shared/model/manifest';
import { fixturePackage } from '../support/randomPackage';

/**
 * Every exported ONNX unit of a random-weight package against PyTorch on the same inputs (max abs error ≤ 1e-4),
 * including the TDTM variants against an explicit merge → attention → unmerge reference at odd and even T. The
 * PyTorch outputs were written by the exporter (--parity) into the committed package test/fixtures/packages/random-d2;
 * the model-tools suite checks that the exporter still writes exactly these files.
 */
interface TensorFile { name: string; dtype: 'float32' | 'int64'; shape: number[]; file: string }
interface ParityCase { name: string; unit: string; file: string; reference: string; inputs: TensorFile[]; outputs: TensorFile[] }
interface ParityIndex { tolerance: number; cases: ParityCase[] }

function readTensor(dir: string, t: TensorFile): ort.Tensor {
  const buf = fs.readFileSync(path.join(dir, t.file));
  const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return t.dtype === 'int64' ? new ort.Tensor('int64', new BigInt64Array(bytes), t.shape) : new ort.Tensor('float32', new Float32Array(bytes), t.shape);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {m = Math.max(m, Math.abs(a[i] - b[i]));}
  return Number.isNaN(m) ? Infinity : m;
}

describe('model package parity (ONNX vs PyTorch)', () => {
  let dir = '';
  let index: ParityIndex;

  beforeAll(() => {
    dir = fixturePackage('random-d2');
    index = JSON.parse(fs.readFileSync(path.join(dir, 'parity', 'index.json'), 'utf8')) as ParityIndex;
  });

  it('writes a manifest that the schema accepts, with one TDTM variant per block pair sharing its weights', () => {
    const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.denoiser.blocks.length).toBe(manifest.denoiser.depth);
    for (const pair of manifest.denoiser.blocks) {
      expect(pair.tdtm.weightsFile).toBe(pair.unit.weightsFile);
      expect(pair.tdtm.id).toBe(`${pair.unit.id}.tdtm`);
    }
    expect(manifest.text.blocks.length).toBeGreaterThanOrEqual(2);
    const nullBytes = fs.statSync(path.join(dir, manifest.nullCaption.file)).size;
    expect(nullBytes).toBe(manifest.nullCaption.shape[0] * manifest.nullCaption.shape[1] * 4);
  });

  it('covers every unit, TDTM at an odd and an even temporal length', () => {
    const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    const ids = [manifest.text.embed, ...manifest.text.blocks, manifest.text.final, manifest.denoiser.embedder, ...manifest.denoiser.blocks.flatMap((b) => [b.unit, b.tdtm]), manifest.denoiser.final, manifest.decoder.unit].map((u) => u.id);
    const covered = new Set(index.cases.map((c) => c.unit));
    for (const id of ids) {expect(covered.has(id), id).toBe(true);}
    const tdtmLengths = index.cases.filter((c) => c.unit.endsWith('.tdtm')).map((c) => c.inputs.find((t) => t.name === 'x')!.shape[1]);
    expect(tdtmLengths.some((t) => t % 2 === 1)).toBe(true);
    expect(tdtmLengths.some((t) => t % 2 === 0)).toBe(true);
  });

  it('matches PyTorch on every unit within 1e-4', async () => {
    const fixtures = path.join(dir, 'parity');
    const failures: string[] = [];
    for (const c of index.cases) {
      const session = await ort.InferenceSession.create(path.join(dir, c.file), { intraOpNumThreads: 1 });
      const feeds: Record<string, ort.Tensor> = {};
      for (const t of c.inputs) {feeds[t.name] = readTensor(fixtures, t);}
      const result = await session.run(feeds);
      for (const t of c.outputs) {
        const got = result[t.name];
        expect(got.dims, `${c.name}.${t.name} shape`).toEqual(t.shape);
        const err = maxAbsDiff(got.data as Float32Array, readTensor(fixtures, t).data as Float32Array);
        if (!(err <= index.tolerance)) {failures.push(`${c.name}.${t.name} (${c.reference}): max abs err ${err}`);}
      }
      await session.release();
    }
    expect(failures).toEqual([]);
  });
});
