/**
 * The graph the CoreML support rules look at: nodes of an ONNX model after ORT's pre-partitioning optimisations,
 * with every value's element type and shape as ORT inferred them (ortGraph.ts supplies both).
 */

/** ONNX TensorProto.DataType values the rules compare against. */
export const ONNX_TYPE = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** Element type names as onnxruntime-node reports them, to ONNX TensorProto.DataType. */
const TYPE_BY_ORT_NAME: Record<string, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

export function onnxTypeOf(ortName: string): number {
  return TYPE_BY_ORT_NAME[ortName] ?? ONNX_TYPE.UNDEFINED;
}

/** A dimension: a number when ORT knows it, else the symbol's name ('' for an unnamed unknown dimension). */
export type Dim = number | string;

export interface TensorInfo {
  /** ONNX TensorProto.DataType */
  readonly dtype: number;
  /** null: ORT has no shape for the value (not even its rank). */
  readonly shape: readonly Dim[] | null;
}

/** The data of a small initializer, decoded (shape tensors, axes, pads, scales …). */
export interface ConstantData {
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

export interface GraphValue {
  readonly name: string;
  readonly info: TensorInfo | null;
  /** A constant initializer (not overridable by a graph input). */
  readonly isConstant: boolean;
  /** Its values when the initializer is stored in the model (small tensors); null otherwise. */
  readonly data: ConstantData | null;
}

export type AttributeValue = number | string | readonly number[];

export interface GraphNode {
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** The since-version of the operator schema the node resolves to (ONNX domain), as ORT's Node::SinceVersion. */
  readonly sinceVersion: number;
  /** null: an optional input left empty. */
  readonly inputs: readonly (GraphValue | null)[];
  readonly outputs: readonly GraphValue[];
  readonly attributes: ReadonlyMap<string, AttributeValue>;
}

export interface AnalysisGraph {
  readonly nodes: readonly GraphNode[];
  readonly graphInputs: readonly { name: string; shape: readonly Dim[] }[];
  readonly graphOutputs: ReadonlySet<string>;
  /** The ONNX opset the model imports for the default domain. */
  readonly opset: number;
}

/** Shape with ORT CoreML EP's convention: -1 for every dimension without a value. */
export function numericShape(shape: readonly Dim[]): number[] {
  return shape.map((dim) => (typeof dim === 'number' ? dim : -1));
}

export function isStatic(shape: readonly Dim[]): boolean {
  return shape.every((dim) => typeof dim === 'number');
}

export function attributeNumber(node: GraphNode, name: string, fallback: number): number {
  const value = node.attributes.get(name);
  return typeof value === 'number' ? value : fallback;
}

export function attributeString(node: GraphNode, name: string, fallback: string): string {
  const value = node.attributes.get(name);
  return typeof value === 'string' ? value : fallback;
}

export function attributeList(node: GraphNode, name: string): readonly number[] | null {
  const value = node.attributes.get(name);
  return Array.isArray(value) ? value : null;
}

/** Producer → consumer edges, one per consumed input slot (ORT's Node::GetInputEdgesCount counts these). */
export function graphEdges(graph: AnalysisGraph): { inDegree: number[]; consumers: number[][] } {
  const producer = new Map<string, number>();
  for (const node of graph.nodes) {
    for (const output of node.outputs) {
      producer.set(output.name, node.index);
    }
  }
  const inDegree = graph.nodes.map(() => 0);
  const consumers: number[][] = graph.nodes.map(() => []);
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      const from = input ? producer.get(input.name) : undefined;
      if (from !== undefined) {
        inDegree[node.index]++;
        consumers[from].push(node.index);
      }
    }
  }
  // ORT walks output edges ordered by the consumer's node index.
  for (const list of consumers) {
    list.sort((a, b) => a - b);
  }
  return { inDegree, consumers };
}
