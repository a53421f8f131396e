import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { maxAbsDiff } from './tensorCompare';

/**
 * Parity fixtures written by the Python model tools (models/tools/parity.py layout): DIR/index.json lists cases,
 * each an ONNX file with its inputs and the PyTorch outputs as raw little-endian tensors.
 */
export interface TensorFile { name: string; dtype: 'float32' | 'int64' | 'bool'; shape: number[]; file: string }
export interface ParityCase { name: string; unit: string; file: string; reference: string; inputs: TensorFile[]; outputs: TensorFile[] }
export interface ParityIndex { tolerance: number; cases: ParityCase[] }

export function readParityIndex(fixturesDir: string): ParityIndex {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, 'index.json'), 'utf8')) as ParityIndex;
}

export function readTensor(dir: string, t: TensorFile): ort.Tensor {
  const buf = fs.readFileSync(path.join(dir, t.file));
  const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  switch (t.dtype) {
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(bytes), t.shape);
    case 'bool':
      return new ort.Tensor('bool', new Uint8Array(bytes), t.shape);
    default:
      return new ort.Tensor('float32', new Float32Array(bytes), t.shape);
  }
}


/** Runs every case's ONNX file in onnxruntime-node; returns one line per output over tolerance or of the wrong shape. */
export async function parityFailures(packageDir: string, fixturesDir: string, index: ParityIndex): Promise<string[]> {
  const failures: string[] = [];
  for (const c of index.cases) {
    const session = await ort.InferenceSession.create(path.join(packageDir, c.file), { intraOpNumThreads: 1 });
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of c.inputs) {feeds[t.name] = readTensor(fixturesDir, t);}
    const result = await session.run(feeds);
    for (const t of c.outputs) {
      const got = result[t.name];
      if (JSON.stringify(got.dims) !== JSON.stringify(t.shape)) {
        failures.push(`${c.name}.${t.name}: shape ${JSON.stringify(got.dims)}, expected ${JSON.stringify(t.shape)}`);
        continue;
      }
      const err = maxAbsDiff(got.data as Float32Array, readTensor(fixturesDir, t).data as Float32Array);
      if (!(err <= index.tolerance)) {failures.push(`${c.name}.${t.name} (${c.reference}): max abs err ${err}`);}
    }
    await session.release();
  }
  return failures;
}
