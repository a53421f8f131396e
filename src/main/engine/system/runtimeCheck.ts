/**
 * The runtime check model (models/runtime-check/runtime-check.onnx) computes y = tanh(x·W + b) with
 * W[i][j] = (3i + j − 5.5)/8 and b = [0.1, −0.2, 0.3]. Its expected output is recomputed here, so a passing
 * check proves onnxruntime loaded and ran a real graph with the right numbers.
 */
export const RUNTIME_CHECK_INPUT = new Float32Array([1, -2, 0.5, 3, -1, 0, 2, 0.25]);
export const RUNTIME_CHECK_INPUT_DIMS = [2, 4] as const;

export function expectedRuntimeCheckOutput(input: Float32Array): Float32Array {
  const rows = input.length / 4;
  const out = new Float32Array(rows * 3);
  const bias = [0.1, -0.2, 0.3];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < 3; j++) {
      let sum = bias[j];
      for (let i = 0; i < 4; i++) {
        sum += input[r * 4 + i] * ((3 * i + j - 5.5) / 8);
      }
      out[r * 3 + j] = Math.tanh(sum);
    }
  }
  return out;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    return Number.POSITIVE_INFINITY;
  }
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i] - b[i]));
  }
  return max;
}
