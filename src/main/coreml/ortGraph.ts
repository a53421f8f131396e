/**
 * The graph ORT's CoreML EP is asked about, made by the pinned onnxruntime-node itself on any platform:
 *
 * 1. ORT applies its level-0 and level-1 optimisations before it partitions (InferenceSession::TransformGraph,
 *    v1.30.0 core/session/inference_session.cc): constant folding (fp16 weights' Cast nodes fold into float32
 *    initializers here), identity/no-op elimination, ReshapeFusion, GeluFusion/LayerNormFusion where the opset
 *    allows. A CPU session with graphOptimizationLevel 'basic' (= level 1) and optimizedModelFilePath writes that
 *    graph. Level-2 fusions (FastGelu, attention, …) run after partitioning and only on CPU nodes.
 * 2. ORT's shape inference types every value; a session over the optimised graph with every node output listed as
 *    a graph output reports those types and shapes (symbolic dimensions keep their names, unknown ones are '').
 *
 * The unit's weights are read into the model for this (ORT only loads external data from inside the model's own
 * folder), so a unit must fit a protobuf (< 2 GiB), as every unit of the studio's packages does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as ort from 'onnxruntime-node';
import type protobuf from 'protobufjs';

import { ModelProto } from '../importer/onnxProto';
import { bindFreeDimensions, type GraphInputsLike } from '../engine/runtime/staticShapes';
import { halfToFloat } from '../importer/tensorData';
import { onnxTypeOf, ONNX_TYPE, type AnalysisGraph, type AttributeValue, type ConstantData, type Dim, type GraphNode, type GraphValue, type TensorInfo } from './graph';
import { NEWEST_TABULATED_OPSET, sinceVersionOf } from './sinceVersion';

/** Initializers up to this size stay in the optimised model, where the rules read them (shapes, axes, pads …). */
const INLINE_INITIALIZER_BYTES = 65536;
const EXTERNAL = 1;

type Long = number | { toNumber(): number };
const num = (value: Long | undefined | null): number => (value === undefined || value === null ? 0 : typeof value === 'number' ? value : value.toNumber());

interface TensorProtoLike {
  name: string;
  dims: Long[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Long[];
  doubleData?: number[];
  externalData?: { key: string; value: string }[];
  dataLocation?: number;
}
interface DimLike {
  dimValue?: Long | null;
  dimParam?: string | null;
}
interface ValueInfoLike {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: DimLike[] } } };
}
interface AttributeLike {
  name: string;
  type?: number;
  f?: number;
  i?: Long;
  s?: Uint8Array;
  floats?: number[];
  ints?: Long[];
}
interface NodeLike {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute: AttributeLike[];
}
interface ModelLike {
  opsetImport: { domain?: string; version?: Long }[];
  graph: { node: NodeLike[]; initializer: TensorProtoLike[]; input: ValueInfoLike[]; output: ValueInfoLike[] };
}

export interface PrepareOptions {
  /** Give the graph inputs' symbolic dimensions these sizes before ORT optimises (a static-shape unit). */
  readonly staticDims?: Readonly<Record<string, number>>;
}

export class CoremlReportError extends Error {}

/** The unit as ORT's CoreML EP would see it at partitioning time. */
export async function prepareGraph(unitFile: string, options: PrepareOptions = {}): Promise<AnalysisGraph> {
  const model = ModelProto.decode(fs.readFileSync(unitFile)) as unknown as ModelLike & protobuf.Message;
  inlineExternalData(model, path.dirname(unitFile));
  if (options.staticDims) {
    bindInputDims(model, options.staticDims, unitFile);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coreml-report-'));
  try {
    const optimizedFile = path.join(work, 'optimized.onnx');
    const optimizer = await ort.InferenceSession.create(ModelProto.encode(model).finish(), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'basic',
      optimizedModelFilePath: optimizedFile,
      extra: {
        session: {
          optimized_model_external_initializers_file_name: 'optimized.weights',
          optimized_model_external_initializers_min_size_in_bytes: String(INLINE_INITIALIZER_BYTES),
        },
      },
    });
    await optimizer.release();
    const optimized = ModelProto.decode(fs.readFileSync(optimizedFile)) as unknown as ModelLike & protobuf.Message;
    const types = await inferredTypes(optimizedFile, work);
    return analysisGraph(optimized, types, unitFile);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function inlineExternalData(model: ModelLike, unitDir: string): void {
  const root = path.resolve(unitDir);
  for (const tensor of model.graph.initializer) {
    if (tensor.dataLocation !== EXTERNAL) {
      continue;
    }
    const entry = Object.fromEntries((tensor.externalData ?? []).map(({ key, value }) => [key, value]));
    const file = path.resolve(root, entry.location ?? '');
    if (!file.startsWith(root + path.sep)) {
      throw new CoremlReportError(`${tensor.name}: external data ${entry.location} is outside the unit's folder`);
    }
    const offset = Number(entry.offset ?? 0);
    const length = Number(entry.length ?? fs.statSync(file).size - offset);
    const data = Buffer.alloc(length);
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.readSync(fd, data, 0, length, offset) !== length) {
        throw new CoremlReportError(`${tensor.name}: ${entry.location} ends before offset ${offset} + ${length}`);
      }
    } finally {
      fs.closeSync(fd);
    }
    tensor.rawData = data;
    tensor.externalData = [];
    tensor.dataLocation = 0;
  }
}

function bindInputDims(model: ModelLike, sizes: Readonly<Record<string, number>>, unitFile: string): void {
  const [unsized] = bindFreeDimensions(model as unknown as GraphInputsLike, sizes);
  if (unsized !== undefined) {
    throw new CoremlReportError(`${path.basename(unitFile)}: an input has the symbolic axis ${unsized}, which --dims does not size`);
  }
}

/** ORT's inferred type and shape of every node output of the optimised model. */
async function inferredTypes(optimizedFile: string, work: string): Promise<Map<string, TensorInfo>> {
  const probe = ModelProto.decode(fs.readFileSync(optimizedFile)) as unknown as ModelLike & protobuf.Message;
  const listed = new Set(probe.graph.output.map((output) => output.name));
  for (const node of probe.graph.node) {
    for (const name of node.output) {
      if (name && !listed.has(name)) {
        probe.graph.output.push({ name });
        listed.add(name);
      }
    }
  }
  const probeFile = path.join(work, 'probe.onnx');
  fs.writeFileSync(probeFile, ModelProto.encode(probe).finish());
  const session = await ort.InferenceSession.create(probeFile, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  try {
    const types = new Map<string, TensorInfo>();
    for (const meta of session.outputMetadata) {
      if (meta.isTensor) {
        types.set(meta.name, { dtype: onnxTypeOf(meta.type), shape: [...meta.shape] });
      }
    }
    return types;
  } finally {
    await session.release();
  }
}

function analysisGraph(model: ModelLike, types: Map<string, TensorInfo>, unitFile: string): AnalysisGraph {
  const opsetEntry = model.opsetImport.find((entry) => !entry.domain || entry.domain === 'ai.onnx');
  const opset = num(opsetEntry?.version);
  if (opset > NEWEST_TABULATED_OPSET) {
    throw new CoremlReportError(`${path.basename(unitFile)} imports ONNX opset ${opset}; this report tabulates operator versions up to opset ${NEWEST_TABULATED_OPSET}`);
  }
  const initializers = new Map(model.graph.initializer.map((tensor) => [tensor.name, tensor]));
  const graphInputs = model.graph.input.filter((input) => !initializers.has(input.name));
  const overridable = new Set(model.graph.input.map((input) => input.name));
  const values = new Map<string, GraphValue>();
  for (const input of graphInputs) {
    values.set(input.name, { name: input.name, info: valueInfoType(input), isConstant: false, data: null });
  }
  for (const tensor of model.graph.initializer) {
    const dims = tensor.dims.map(num);
    values.set(tensor.name, { name: tensor.name, info: { dtype: tensor.dataType, shape: dims }, isConstant: !overridable.has(tensor.name), data: constantData(tensor, dims) });
  }
  const valueOf = (name: string): GraphValue => values.get(name) ?? { name, info: types.get(name) ?? null, isConstant: false, data: null };
  const nodes: GraphNode[] = model.graph.node.map((node, index) => {
    const domain = node.domain ?? '';
    const onnxDomain = domain === '' || domain === 'ai.onnx';
    return {
      index,
      name: node.name ?? `${node.opType}_${index}`,
      opType: node.opType,
      domain,
      sinceVersion: (onnxDomain ? sinceVersionOf(node.opType, opset) : null) ?? opset,
      inputs: node.input.map((name) => (name ? valueOf(name) : null)),
      outputs: node.output.filter(Boolean).map((name) => valueOf(name)),
      attributes: new Map(node.attribute.map((attribute) => [attribute.name, attributeValue(attribute)])),
    };
  });
  return {
    nodes,
    graphInputs: graphInputs.map((input) => ({ name: input.name, shape: valueInfoType(input)?.shape ?? [] })),
    graphOutputs: new Set(model.graph.output.map((output) => output.name)),
    opset,
  };
}

function valueInfoType(info: ValueInfoLike): TensorInfo | null {
  const tensorType = info.type?.tensorType;
  if (!tensorType) {
    return null;
  }
  const dims = tensorType.shape?.dim;
  // proto2 `oneof value`: protobufjs leaves an unset field on the prototype (default 0), so ask for own fields.
  const own = (dim: DimLike, field: keyof DimLike): boolean => Object.prototype.hasOwnProperty.call(dim, field) && dim[field] !== null;
  const shape: Dim[] | null = dims ? dims.map((dim) => (own(dim, 'dimParam') ? (dim.dimParam ?? '') : own(dim, 'dimValue') ? num(dim.dimValue) : '')) : null;
  return { dtype: tensorType.elemType ?? ONNX_TYPE.UNDEFINED, shape };
}

function attributeValue(attribute: AttributeLike): AttributeValue {
  switch (attribute.type) {
    case 1:
      return attribute.f ?? 0;
    case 2:
      return num(attribute.i);
    case 3:
      return Buffer.from(attribute.s ?? new Uint8Array()).toString('utf8');
    case 6:
      return attribute.floats ?? [];
    case 7:
      return (attribute.ints ?? []).map(num);
    default:
      return [];
  }
}

const MAX_DECODED_ELEMENTS = 4096;

/** Values of a small inline initializer of a numeric type the rules read; null for anything else. */
function constantData(tensor: TensorProtoLike, dims: number[]): ConstantData | null {
  const count = dims.reduce((a, b) => a * b, 1);
  if (tensor.dataLocation === EXTERNAL || count > MAX_DECODED_ELEMENTS) {
    return null;
  }
  const raw = tensor.rawData && tensor.rawData.length > 0 ? Buffer.from(tensor.rawData) : null;
  const read = (width: number, get: (buffer: Buffer, offset: number) => number): number[] =>
    raw ? Array.from({ length: count }, (_, i) => get(raw, i * width)) : [];
  switch (tensor.dataType) {
    case ONNX_TYPE.FLOAT:
      return { dims, values: raw ? read(4, (b, o) => b.readFloatLE(o)) : (tensor.floatData ?? []) };
    case ONNX_TYPE.DOUBLE:
      return { dims, values: raw ? read(8, (b, o) => b.readDoubleLE(o)) : (tensor.doubleData ?? []) };
    case ONNX_TYPE.FLOAT16:
      return { dims, values: raw ? read(2, (b, o) => halfToFloat(b.readUInt16LE(o))) : (tensor.int32Data ?? []).map(halfToFloat) };
    case ONNX_TYPE.INT32:
      return { dims, values: raw ? read(4, (b, o) => b.readInt32LE(o)) : (tensor.int32Data ?? []) };
    case ONNX_TYPE.INT64:
      return { dims, values: raw ? read(8, (b, o) => Number(b.readBigInt64LE(o))) : (tensor.int64Data ?? []).map(num) };
    default:
      return null;
  }
}
