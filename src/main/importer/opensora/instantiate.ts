import fs from 'node:fs';
import path from 'node:path';
import { ImportRefused } from '../errors';
import { DATA_TYPE, EXTERNAL, decodeModel, dimsOf, encodeModel, type OnnxNode } from '../onnxProto';
import type { TensorSource } from '../tensorSource';
import { elementCount, floatToHalf, toFloat32 } from '../tensorData';
import type { InitializerSource, UnitTemplate } from './templates';
import type { WeightsFile } from './weightsFile';

/** How weights are stored in the package. fp16 graphs widen them with Cast nodes that ORT folds once at load. */
export type WeightsPrecision = 'fp16' | 'fp32';

export interface InstantiateOptions {
  template: UnitTemplate;
  templateDir: string;
  /** Substituted for `{i}` in the source keys (block units). */
  blockIndex: number | null;
  source: TensorSource;
  weights: WeightsFile;
  precision: WeightsPrecision;
  /** The unit's .onnx path in the package being built. */
  outFile: string;
  /** Checked between tensors: an aborted import stops within one tensor. */
  signal?: AbortSignal;
}

/**
 * Writes one unit: the template graph with every initializer filled from its checkpoint key (read, widened to
 * float32, transformed, stored as fp32 or fp16 in the unit's weights file), one tensor in memory at a time.
 * Returns the bytes the unit keeps resident once loaded by the CPU execution provider: float32 for every
 * initializer, whatever the file holds (fp16 weights are widened once when the session is created).
 */
export async function instantiateUnit(options: InstantiateOptions): Promise<{ residentBytes: number; fileBytes: number }> {
  const { template, source, weights, precision } = options;
  const model = decodeModel(fs.readFileSync(path.join(options.templateDir, template.file)));
  const inits = model.graph.initializer;
  if (inits.length !== template.initializers.length) {
    throw new Error(`${template.file}: ${inits.length} initializers but template.json declares ${template.initializers.length}`);
  }
  const casts: OnnxNode[] = [];
  let residentBytes = 0;
  let fileBytes = 0;
  for (let k = 0; k < inits.length; k++) {
    if (options.signal?.aborted) {
      throw options.signal.reason ?? new Error('aborted');
    }
    const decl = template.initializers[k];
    const init = inits[k];
    if (init.name !== decl.name || dimsOf(init).join(',') !== decl.dims.join(',')) {
      throw new Error(`${template.file}: initializer ${k} is ${init.name} [${dimsOf(init).join(', ')}], template.json says ${decl.name} [${decl.dims.join(', ')}]`);
    }
    const values = await sourceValues(decl, options.blockIndex, source);
    const bytes = precision === 'fp16' ? toHalfBytes(values) : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const dataType = precision === 'fp16' ? DATA_TYPE.FLOAT16 : DATA_TYPE.FLOAT;
    const { offset, length } = weights.store(dataType, bytes);
    init.dataType = dataType;
    init.dataLocation = EXTERNAL;
    init.externalData = [
      { key: 'location', value: weights.name },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ];
    if (precision === 'fp16') {
      const wide = init.name;
      init.name = `${wide}::fp16`;
      casts.push({ input: [init.name], output: [wide], name: `WidenFp16_${k}`, opType: 'Cast', attribute: [{ name: 'to', type: 2, i: DATA_TYPE.FLOAT }] });
    }
    residentBytes += values.byteLength;
    fileBytes += length;
  }
  model.graph.node.unshift(...casts);
  fs.writeFileSync(options.outFile, encodeModel(model));
  return { residentBytes, fileBytes };
}

async function sourceValues(decl: InitializerSource, blockIndex: number | null, source: TensorSource): Promise<Float32Array> {
  const key = blockIndex === null ? decl.key : decl.key.replace('{i}', String(blockIndex));
  const raw = await source.read(key);
  if (!['F32', 'F16', 'BF16', 'F64'].includes(raw.dtype)) {
    throw new ImportRefused(`${source.fileOf(key)}: '${key}' is ${raw.dtype}; weights must be floating point`);
  }
  const values = toFloat32(raw);
  if (elementCount(decl.dims) !== values.length) {
    throw new ImportRefused(`${source.fileOf(key)}: '${key}' has ${values.length} elements, the graph needs [${decl.dims.join(', ')}]`);
  }
  if (decl.transform === 'transpose') {
    if (raw.shape.length !== 2) {
      throw new ImportRefused(`${source.fileOf(key)}: '${key}' is not 2-D, so it cannot be stored transposed`);
    }
    return transpose2d(values, raw.shape[0], raw.shape[1]);
  }
  return values;
}

function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[c * rows + r] = values[r * cols + c];
    }
  }
  return out;
}

function toHalfBytes(values: Float32Array): Uint8Array {
  const half = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    half[i] = floatToHalf(values[i]);
  }
  return new Uint8Array(half.buffer);
}
