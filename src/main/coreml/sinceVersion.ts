/**
 * The opset versions at which each ONNX operator with a CoreML builder changed (the ONNX operator changelog, up to
 * opset 17). ORT resolves a node to the newest schema not newer than the model's opset; some CoreML checks compare
 * that since-version (Softmax < 13, Squeeze > 12, Clip < 11, the builders' minimum opsets).
 */
const SCHEMA_VERSIONS: Record<string, readonly number[]> = {
  Sigmoid: [1, 6, 13],
  Tanh: [1, 6, 13],
  Relu: [1, 6, 13, 14],
  PRelu: [1, 6, 7, 9, 16],
  LeakyRelu: [1, 6, 16],
  Softplus: [1],
  Elu: [1, 6],
  HardSigmoid: [1, 6],
  Erf: [9, 13],
  Reciprocal: [1, 6, 13],
  Round: [11],
  Sqrt: [1, 6, 13],
  Exp: [1, 6, 13],
  Sin: [7],
  Cos: [7],
  Ceil: [1, 6, 13],
  Add: [1, 6, 7, 13, 14],
  Div: [1, 6, 7, 13, 14],
  Mul: [1, 6, 7, 13, 14],
  Max: [1, 6, 8, 12, 13],
  Pow: [1, 7, 12, 13, 15],
  Sub: [1, 6, 7, 13, 14],
  AveragePool: [1, 7, 10, 11],
  GlobalAveragePool: [1],
  GlobalMaxPool: [1],
  MaxPool: [1, 8, 10, 11, 12],
  ReduceMean: [1, 11, 13],
  ReduceMin: [1, 11, 12, 13],
  ReduceMax: [1, 11, 12, 13],
  ReduceProd: [1, 11, 13],
  ReduceSum: [1, 11, 13],
  BatchNormalization: [1, 6, 7, 9, 14, 15],
  InstanceNormalization: [1, 6],
  LayerNormalization: [17],
  And: [1, 7],
  ArgMax: [1, 11, 12, 13],
  Cast: [1, 6, 9, 13],
  Clip: [1, 6, 11, 12, 13],
  Concat: [1, 4, 11, 13],
  Conv: [1, 11],
  ConvTranspose: [1, 11],
  DepthToSpace: [1, 11, 13],
  Flatten: [1, 9, 11, 13],
  Gather: [1, 11, 13],
  GatherND: [11, 12, 13],
  Gemm: [1, 6, 7, 9, 11, 13],
  GridSample: [16],
  Identity: [1, 13, 14, 16],
  LRN: [1, 13],
  MatMul: [1, 9, 13],
  Pad: [1, 2, 11, 13],
  Reshape: [1, 5, 13, 14],
  Resize: [10, 11, 13],
  Shape: [1, 13, 15],
  Slice: [1, 10, 11, 13],
  Split: [1, 2, 11, 13],
  Softmax: [1, 11, 13],
  Squeeze: [1, 11, 13],
  Tile: [1, 6, 13],
  Transpose: [1, 13],
  Unsqueeze: [1, 11, 13],
  Where: [9, 16],
};

/** The newest opset covered by SCHEMA_VERSIONS. */
export const NEWEST_TABULATED_OPSET = 17;

/** The since-version a node of `opType` resolves to in a model importing `opset`; null when not tabulated. */
export function sinceVersionOf(opType: string, opset: number): number | null {
  const versions = SCHEMA_VERSIONS[opType];
  if (!versions) {
    return null;
  }
  const usable = versions.filter((version) => version <= opset);
  return usable.length > 0 ? usable[usable.length - 1] : null;
}
