import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { coverageOf, unitReport } from '../../../src/main/coreml/coremlReport';
import type { AnalysisGraph, GraphNode } from '../../../src/main/coreml/graph';
import { prepareGraph } from '../../../src/main/coreml/ortGraph';
import { formPartitions } from '../../../src/main/coreml/partitions';
import { ModelProto } from '../../../src/main/importer/onnxProto';
import { floatToHalf } from '../../../src/main/importer/tensorData';

/** Tiny ONNX graphs, written with the importer's protobuf schema and analysed through the real onnxruntime-node. */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coreml-rules-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

type Dims = (number | string)[];
const FLOAT = 1;
const FLOAT16 = 10;
const INT64 = 7;

const valueInfo = (name: string, dims: Dims | null, elemType = FLOAT) => ({
  name,
  type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
});
const floats = (name: string, dims: number[], fill = (i: number) => (i % 7) / 7 - 0.4) => {
  const count = dims.reduce((a, b) => a * b, 1);
  return { name, dims, dataType: FLOAT, rawData: Buffer.from(new Float32Array(Array.from({ length: count }, (_, i) => fill(i))).buffer) };
};
const halves = (name: string, dims: number[]) => {
  const count = dims.reduce((a, b) => a * b, 1);
  return { name, dims, dataType: FLOAT16, rawData: Buffer.from(new Uint16Array(Array.from({ length: count }, (_, i) => floatToHalf(i / count))).buffer) };
};
const int64s = (name: string, values: number[]) => ({ name, dims: [values.length], dataType: INT64, rawData: Buffer.from(new BigInt64Array(values.map(BigInt)).buffer) });
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) => ({ opType, input, output, name: output[0], attribute });

let count = 0;
function writeModel(spec: { inputs: [string, Dims][]; outputs: string[]; initializers: object[]; nodes: object[] }): string {
  const model = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'coreml-report test',
    graph: {
      name: 'g',
      node: spec.nodes,
      initializer: spec.initializers,
      input: spec.inputs.map(([name, dims]) => valueInfo(name, dims)),
      output: spec.outputs.map((name) => valueInfo(name, null)),
    },
  });
  const file = path.join(work, `model${count++}.onnx`);
  fs.writeFileSync(file, ModelProto.encode(model).finish());
  return file;
}

describe('CoreML EP support rules on small graphs (ORT 1.30.0, ML Program)', () => {
  it('takes a float MatMul + Relu whole: one partition, every FLOP on CoreML', async () => {
    const file = writeModel({
      inputs: [['x', [2, 8]]],
      outputs: ['y'],
      initializers: [floats('w', [8, 4])],
      nodes: [node('MatMul', ['x', 'w'], ['h']), node('Relu', ['h'], ['y'])],
    });
    const report = unitReport('unit', 'm.onnx', await prepareGraph(file));
    expect(report.ops).toEqual({ MatMul: 1, Relu: 1 });
    expect(report.unsupported).toEqual([]);
    expect(report.partitions).toBe(1);
    expect(report.flops).toEqual({ total: 2 * 2 * 8 * 4, coreml: 2 * 2 * 8 * 4 });
    expect(report.coremlFlopShare).toBe(1);
    expect(report.symbolicAxes).toEqual([]);
  });

  it('names the reason a node stays on the CPU, and two supported islands around it make two partitions', async () => {
    const file = writeModel({
      inputs: [['x', [4, 8]]],
      outputs: ['y'],
      initializers: [floats('w1', [8, 8]), floats('w2', [8, 8])],
      nodes: [node('MatMul', ['x', 'w1'], ['a']), node('Neg', ['a'], ['b']), node('MatMul', ['b', 'w2'], ['y'])],
    });
    const report = unitReport('unit', 'm.onnx', await prepareGraph(file));
    expect(report.unsupported).toEqual([{ op: 'Neg', reason: 'no CoreML op builder for Neg', count: 1, node: 'b' }]);
    expect(report.partitions).toBe(2);
    expect(report.coremlNodes).toBe(2);
    expect(report.coremlFlopShare).toBe(1);
  });

  it('counts the FLOP share of the matrix products CoreML takes', async () => {
    // The second MatMul has a 1-D B, which the EP refuses (CoreML ML Program bug with 1-D matmul inputs).
    const file = writeModel({
      inputs: [['x', [4, 8]]],
      outputs: ['y'],
      initializers: [floats('w1', [8, 8]), floats('w2', [8])],
      nodes: [node('MatMul', ['x', 'w1'], ['a']), node('MatMul', ['a', 'w2'], ['y'])],
    });
    const report = unitReport('unit', 'm.onnx', await prepareGraph(file));
    expect(report.unsupported).toEqual([{ op: 'MatMul', reason: 'MatMul with one 1-D input (CoreML ML Program bug)', count: 1, node: 'y' }]);
    expect(report.flops).toEqual({ total: 2 * 4 * 8 * 8 + 2 * 4 * 8, coreml: 2 * 4 * 8 * 8 });
    expect(report.coremlFlopShare).toBeCloseTo(512 / 576, 12);
  });

  it('leaves a Reshape of a symbolic-shape input to the CPU; the same graph with the axis sized is one partition', async () => {
    const file = writeModel({
      inputs: [['x', ['B', 8]]],
      outputs: ['y'],
      initializers: [int64s('shape', [-1, 2, 4]), floats('w', [4, 4])],
      nodes: [node('Reshape', ['x', 'shape'], ['r']), node('MatMul', ['r', 'w'], ['y'])],
    });
    const symbolic = unitReport('unit', 'm.onnx', await prepareGraph(file), await prepareGraph(file, { staticDims: { B: 3 } }));
    expect(symbolic.symbolicAxes).toEqual([{ input: 'x', axis: 0, name: 'B' }]);
    expect(symbolic.unsupported).toEqual([{ op: 'Reshape', reason: 'needs a static input shape; x is [B, 8]', count: 1, node: 'r' }]);
    expect(symbolic.partitions).toBe(1);
    expect(symbolic.flops.total).toBe(2 * 3 * 2 * 4 * 4);
    expect(symbolic.coremlFlopShare).toBe(1);

    const fixed = unitReport('unit', 'm.onnx', await prepareGraph(file, { staticDims: { B: 3 } }));
    expect(fixed.symbolicAxes).toEqual([]);
    expect(fixed.unsupported).toEqual([]);
    expect(fixed.partitions).toBe(1);
    await expect(prepareGraph(file, { staticDims: {} })).rejects.toThrow(/symbolic axis B/);
  });

  it('drops a CoreML group made only of trivial ops (the EP keeps no Transpose-only partition)', async () => {
    const file = writeModel({
      inputs: [['x', [4, 8]]],
      outputs: ['y'],
      initializers: [floats('w', [4, 4])],
      nodes: [node('Transpose', ['x'], ['t'], [{ name: 'perm', type: 7, ints: [1, 0] }]), node('Neg', ['t'], ['n']), node('MatMul', ['n', 'w'], ['y'])],
    });
    const report = unitReport('unit', 'm.onnx', await prepareGraph(file));
    expect(report.partitions).toBe(1);
    expect(report.unsupported.map((entry) => [entry.op, entry.reason])).toEqual([
      ['Neg', 'no CoreML op builder for Neg'],
      ['Transpose', 'in a CoreML group of only trivial ops, which the EP drops'],
    ]);
  });

  it('analyses the graph after ORT folds an fp16 weight\'s widening Cast (level-1 constant folding)', async () => {
    const file = writeModel({
      inputs: [['x', [2, 8]]],
      outputs: ['y'],
      initializers: [halves('w::fp16', [8, 4])],
      nodes: [node('Cast', ['w::fp16'], ['w'], [{ name: 'to', type: 2, i: FLOAT }]), node('MatMul', ['x', 'w'], ['y'])],
    });
    const graph = await prepareGraph(file);
    expect(graph.nodes.map((n) => n.opType)).toEqual(['MatMul']);
    expect(graph.nodes[0].inputs[1]?.isConstant).toBe(true);
    expect(unitReport('unit', 'm.onnx', graph).partitions).toBe(1);
  });

  it('refuses rank-6 tensors and Gather with scalar indices on dynamic data, as the EP does', async () => {
    const file = writeModel({
      inputs: [['x', ['B', 2, 3, 4]]],
      outputs: ['y'],
      initializers: [int64s('shape6', [1, 1, 2, 3, 2, 2]), { ...int64s('i', [1]), dims: [] }],
      nodes: [node('Gather', ['x', 'i'], ['g']), node('Reshape', ['g', 'shape6'], ['y'])],
    });
    const coverage = coverageOf(await prepareGraph(file, { staticDims: { B: 1 } }));
    expect(coverage.verdicts).toEqual([null, 'new shape has rank 6 > 5']);
    const symbolic = coverageOf(await prepareGraph(file));
    expect(symbolic.verdicts[0]).toBe('scalar indices need a static data shape; x is [B, 2, 3, 4]');
  });
});

describe('partitioning (partitioning_utils.cc waves)', () => {
  /** A graph of named nodes; `edges` lists producer → consumer by node index. */
  function chain(count: number, edges: [number, number][]): AnalysisGraph {
    const nodes: GraphNode[] = Array.from({ length: count }, (_, index) => ({
      index,
      name: `n${index}`,
      opType: 'Op',
      domain: '',
      sinceVersion: 17,
      inputs: edges.filter(([, to]) => to === index).map(([from]) => ({ name: `v${from}`, info: null, isConstant: false, data: null })),
      outputs: [{ name: `v${index}`, info: null, isConstant: false, data: null }],
      attributes: new Map(),
    }));
    return { nodes, graphInputs: [], graphOutputs: new Set(), opset: 17 };
  }
  const never = () => false;

  it('splits at an unsupported node that consumes the group, but not at one beside it', () => {
    // 0 → 1 (CPU) → 2: two groups.
    expect(formPartitions(chain(3, [[0, 1], [1, 2]]), (i) => i !== 1, never).partitions).toEqual([[0], [2]]);
    // 0 → 2 and 1 (CPU, on its own) → nothing: one group; the CPU node does not consume the group.
    expect(formPartitions(chain(3, [[0, 2]]), (i) => i !== 1, never).partitions).toEqual([[0, 2]]);
    // A diamond whose one branch is on the CPU: 0 → 1 (CPU) → 3, 0 → 2 → 3: node 3 waits for the CPU node.
    expect(formPartitions(chain(4, [[0, 1], [0, 2], [1, 3], [2, 3]]), (i) => i !== 1, never).partitions).toEqual([[0, 2], [3]]);
  });

  it('drops groups of only trivial nodes', () => {
    const result = formPartitions(chain(3, [[0, 1], [1, 2]]), (i) => i !== 1, (i) => i === 0);
    expect(result.partitions).toEqual([[2]]);
    expect(result.droppedTrivialGroups).toBe(1);
  });
});
