import { DATA_TYPE, ModelProto } from '../../importer/onnxProto';

/**
 * One float32 Gemm, [M, K] × [K, N] with the [K, N] operand an initializer (as every linear layer of the exported
 * units: ORT prepacks it), as ONNX bytes. The bench times it beside PyTorch's GEMM of the same size, so the step's
 * ceiling set by each side's matrix-product library is measured on the machine, side by side.
 */
export function gemmModelBytes(m: number, k: number, n: number, seed = 1): Uint8Array {
  const weights = new Float32Array(k * n);
  let state = seed >>> 0;
  for (let i = 0; i < weights.length; i++) {
    // xorshift32: any values do; zeros would let a kernel skip work.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    weights[i] = ((state >>> 0) / 2 ** 32 - 0.5) * 0.05;
  }
  const valueInfo = (name: string, dims: number[]) => ({
    name,
    type: { tensorType: { elemType: DATA_TYPE.FLOAT, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } },
  });
  const model = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'gemm',
      node: [{ opType: 'Gemm', input: ['a', 'b'], output: ['c'], name: 'gemm' }],
      initializer: [{ name: 'b', dims: [k, n], dataType: DATA_TYPE.FLOAT, rawData: new Uint8Array(weights.buffer) }],
      input: [valueInfo('a', [m, k])],
      output: [valueInfo('c', [m, n])],
    },
  });
  return ModelProto.encode(model).finish();
}
