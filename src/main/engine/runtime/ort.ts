/**
 * The only module on the engine's own thread that imports onnxruntime-node. Sessions that do real work live in
 * ORT workers (workerExecutor.ts); this module answers questions about the runtime (system.info) and inspects unit
 * files against the model manifest. Every session it creates is released before the call returns.
 *
 * Linux note: glibc keeps freed weight buffers unless the process starts with
 * GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576:glibc.malloc.hugetlb=1 (docs/runtime-notes.md §Memory given back after release);
 * the launcher sets it, not this module.
 */
import { statSync } from 'node:fs';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

import type { ModelUnit, TensorSpec } from '@shared/model/manifest';
import { currentPlatform, executionProvidersFor } from './sessionOptions';
import type { TensorMetadata } from './types';
import { describeValueMetadata } from './valueMetadata.mjs';


export interface RuntimeInfo {
  readonly ortVersion: string;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** Backends compiled into this onnxruntime-node build (e.g. "cpu", "webgpu", "coreml"). */
  readonly availableProviders: readonly string[];
  /** Backends ORT knows of but that need a separate download (e.g. "cuda"). */
  readonly unbundledProviders: readonly string[];
  /** What streamed sessions ask for, in order of preference. */
  readonly executionProviders: readonly string[];
}

export function getRuntimeInfo(): RuntimeInfo {
  const backends = ort.listSupportedBackends();
  const target = currentPlatform();
  return {
    ortVersion: ort.env.versions.node ?? ort.env.versions.common,
    platform: target.platform,
    arch: target.arch,
    availableProviders: backends.filter((backend) => backend.bundled).map((backend) => backend.name),
    unbundledProviders: backends.filter((backend) => !backend.bundled).map((backend) => backend.name),
    executionProviders: executionProvidersFor(target).map((provider) => (typeof provider === 'string' ? provider : provider.name)),
  };
}

export interface UnitIo {
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

/**
 * Input/output names, dtypes and dims of an ONNX file. Creates a CPU session with optimisation off (metadata does not
 * depend on it) on THIS thread, which blocks it for the load (weights included), then releases it.
 */
export async function inspectUnit(modelPath: string): Promise<UnitIo> {
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
    enableCpuMemArena: false,
    enableMemPattern: false,
  });
  try {
    return { inputs: describeValueMetadata(session.inputMetadata), outputs: describeValueMetadata(session.outputMetadata) };
  } finally {
    await session.release();
  }
}

interface MismatchBase {
  readonly unitId: string;
  /** File the mismatch is about, relative to the package folder. */
  readonly file: string;
  /** Human-readable, names file, tensor, expected and actual. */
  readonly message: string;
}
export type UnitSpecMismatch =
  | (MismatchBase & { readonly kind: 'missing-tensor'; readonly io: 'input' | 'output'; readonly tensor: string; readonly expected: string })
  | (MismatchBase & { readonly kind: 'unexpected-tensor'; readonly io: 'input' | 'output'; readonly tensor: string; readonly actual: string })
  | (MismatchBase & {
      readonly kind: 'dtype' | 'shape';
      readonly io: 'input' | 'output';
      readonly tensor: string;
      readonly expected: string;
      readonly actual: string;
    })
  | (MismatchBase & { readonly kind: 'missing-file' })
  | (MismatchBase & { readonly kind: 'weights-larger-than-size'; readonly expectedBytes: number; readonly actualBytes: number })
  | (MismatchBase & { readonly kind: 'load-failed' });

function formatDims(dims: readonly (number | string)[]): string {
  return `[${dims.join(', ')}]`;
}

function sameDims(expected: TensorSpec['shape'], actual: readonly (number | string)[]): boolean {
  return expected.length === actual.length && expected.every((dim, axis) => dim === actual[axis]);
}

/** Pure comparison of a manifest unit with what a session reported (also usable on a worker's load reply). */
export function compareUnitIo(unit: ModelUnit, io: UnitIo): UnitSpecMismatch[] {
  const mismatches: UnitSpecMismatch[] = [];
  const base = { unitId: unit.id, file: unit.file };
  const sides = [
    ['input', unit.inputs, io.inputs],
    ['output', unit.outputs, io.outputs],
  ] as const;
  for (const [side, specs, actual] of sides) {
    const actualByName = new Map(actual.map((meta) => [meta.name, meta]));
    const expectedNames = new Set(specs.map((spec) => spec.name));
    for (const spec of specs) {
      const where = `${unit.file}: ${side} "${spec.name}"`;
      const expected = `${spec.dtype} ${formatDims(spec.shape)}`;
      const meta = actualByName.get(spec.name);
      if (!meta) {
        const present = actual.map((m) => m.name).join(', ');
        const message = `${where} (${expected}) is not in the graph; it has ${side}s [${present}]`;
        mismatches.push({ ...base, kind: 'missing-tensor', io: side, tensor: spec.name, expected, message });
        continue;
      }
      if (meta.dtype !== spec.dtype) {
        const message = `${where} dtype: expected ${spec.dtype}, actual ${meta.dtype}`;
        mismatches.push({ ...base, kind: 'dtype', io: side, tensor: spec.name, expected: spec.dtype, actual: meta.dtype, message });
      }
      if (!sameDims(spec.shape, meta.dims)) {
        const [want, got] = [formatDims(spec.shape), formatDims(meta.dims)];
        const message = `${where} shape: expected ${want}, actual ${got}`;
        mismatches.push({ ...base, kind: 'shape', io: side, tensor: spec.name, expected: want, actual: got, message });
      }
    }
    for (const meta of actual) {
      if (expectedNames.has(meta.name)) {
        continue;
      }
      const actualText = `${meta.dtype} ${formatDims(meta.dims)}`;
      const message = `${unit.file}: graph ${side} "${meta.name}" (${actualText}) is not in the manifest`;
      mismatches.push({ ...base, kind: 'unexpected-tensor', io: side, tensor: meta.name, actual: actualText, message });
    }
  }
  return mismatches;
}

/**
 * Exporters align tensors inside the weights file, so the file is legitimately a little larger than the tensor bytes
 * (e.g. 100 bytes on a 1.1 MB decoder). Only an under-report beyond this slack would mislead the memory budget.
 */
export function weightsPaddingSlackBytes(sizeBytes: number): number {
  return 64 * 1024 + Math.ceil(sizeBytes * 0.01);
}

function fileSizeBytes(filePath: string): number | null {
  try {
    return statSync(filePath).size;
  } catch {
    return null;
  }
}

/**
 * Checks one manifest unit against its ONNX file: files exist, the weights file is not much larger than sizeBytes
 * (the streamer budgets with sizeBytes), and inputs/outputs match by name, dtype and shape. Empty list = consistent.
 */
export async function checkUnitAgainstSpec(unit: ModelUnit, packageDir: string): Promise<UnitSpecMismatch[]> {
  const modelPath = path.join(packageDir, unit.file);
  if (fileSizeBytes(modelPath) === null) {
    return [{ kind: 'missing-file', unitId: unit.id, file: unit.file, message: `${unit.file}: file not found in ${packageDir} (unit ${unit.id})` }];
  }
  const mismatches: UnitSpecMismatch[] = [];
  if (unit.weightsFile) {
    const weightsBytes = fileSizeBytes(path.join(packageDir, unit.weightsFile));
    if (weightsBytes === null) {
      const message = `${unit.weightsFile}: weights file of ${unit.id} not found in ${packageDir}`;
      return [{ kind: 'missing-file', unitId: unit.id, file: unit.weightsFile, message }];
    }
    if (weightsBytes > unit.sizeBytes + weightsPaddingSlackBytes(unit.sizeBytes)) {
      mismatches.push({
        kind: 'weights-larger-than-size',
        unitId: unit.id,
        file: unit.weightsFile,
        expectedBytes: unit.sizeBytes,
        actualBytes: weightsBytes,
        message: `${unit.weightsFile}: ${weightsBytes} bytes, more than the unit's sizeBytes ${unit.sizeBytes} (${unit.id})`,
      });
    }
  }
  let io: UnitIo;
  try {
    io = await inspectUnit(modelPath);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [...mismatches, { kind: 'load-failed', unitId: unit.id, file: unit.file, message: `${unit.file}: cannot load: ${reason}` }];
  }
  return [...mismatches, ...compareUnitIo(unit, io)];
}

/**
 * Runs a small model once on this thread and releases it (the runtime check of system.info). Real work never
 * comes here: it runs in the ORT workers.
 */
export async function runOnce(
  modelPath: string,
  feeds: Record<string, { dtype: 'float32'; dims: number[]; data: Float32Array }>,
): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], enableCpuMemArena: false });
  try {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      tensors[name] = new ort.Tensor(feed.dtype, feed.data, feed.dims);
    }
    const results = await session.run(tensors);
    const out: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = tensor.data as Float32Array;
    }
    return out;
  } finally {
    await session.release();
  }
}
