/**
 * Floating-point operations of the compute-heavy nodes, from their shapes: matrix products (MatMul, Gemm; attention
 * is its two MatMuls) and convolutions, a multiply-add counted as 2. Elementwise, normalisation and data-movement
 * nodes are not counted: they are a few percent of a transformer's or a VAE's work and memory-bound anyway.
 * Returns null when a needed shape is not fully known.
 */
import { attributeNumber, numericShape, type GraphNode } from './graph';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function knownShape(node: GraphNode, input: number | 'output'): number[] | null {
  const value = input === 'output' ? node.outputs[0] : node.inputs[input];
  const shape = value?.info?.shape;
  if (!shape) {
    return null;
  }
  const dims = numericShape(shape);
  return dims.includes(-1) ? null : dims;
}

export function nodeFlops(node: GraphNode): number | null {
  switch (node.opType) {
    case 'MatMul': {
      const a = knownShape(node, 0);
      const out = knownShape(node, 'output');
      if (!a || !out) {
        return null;
      }
      // out = batch… × M × N (or N for a 1-D A); K is A's last dimension.
      return 2 * product(out) * a[a.length - 1];
    }
    case 'Gemm': {
      const a = knownShape(node, 0);
      const out = knownShape(node, 'output');
      if (!a || !out) {
        return null;
      }
      const k = attributeNumber(node, 'transA', 0) ? a[0] : a[1];
      return 2 * product(out) * k;
    }
    case 'Conv':
    case 'FusedConv': {
      const w = knownShape(node, 1);
      const out = knownShape(node, 'output');
      if (!w || !out) {
        return null;
      }
      // Each output element sums Cin/group × kernel products; W is [Cout, Cin/group, k…].
      return 2 * product(out) * product(w.slice(1));
    }
    case 'ConvTranspose': {
      const x = knownShape(node, 0);
      const w = knownShape(node, 1);
      if (!x || !w) {
        return null;
      }
      // Each input element scatters into Cout/group × kernel outputs; W is [Cin, Cout/group, k…].
      return 2 * product(x) * product(w.slice(1));
    }
    default:
      return 0;
  }
}
