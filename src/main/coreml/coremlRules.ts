/**
 * Which nodes ORT's CoreML execution provider (ML Program format, onnxruntime 1.30.0) takes, and why not.
 *
 * Transcribed (as facts, in our own code) from onnxruntime v1.30.0: coreml/builders/op_builder_factory.cc (which
 * op types have a builder), builders/impl/base_op_builder.{h,cc} (IsOpSupported: ML Program support, opset range,
 * every input's shape, the input types, then the builder's own check), builders/helper.cc (IsInputSupported) and
 * each builder's HasSupportedInputsImpl / IsOpSupportedImpl / IsTrivial. docs/coreml.md lists the files.
 *
 * Assumed session: { name: 'coreml', coreMlFlags: CREATE_MLPROGRAM } as the engine asks (no static-shape-only
 * flag), a CoreML 7+ runtime (macOS 14+) and an EP built with CoreML 6+ support (the published darwin binary).
 */
import {
  ONNX_TYPE,
  attributeList,
  attributeNumber,
  attributeString,
  isStatic,
  numericShape,
  type GraphNode,
  type GraphValue,
} from './graph';

/** A reason the EP leaves a node to the CPU, or null when it takes it. */
export type Verdict = string | null;

interface Builder {
  /** The builder has an ML Program lowering (BaseOpBuilder::SupportsMLProgram). */
  readonly mlProgram: boolean;
  readonly minOpset?: (node: GraphNode) => number;
  /** Inputs with a 0 dimension are accepted (Resize's empty roi/scales). */
  readonly allowEmptyInputs?: boolean;
  /** HasSupportedInputsImpl; default: input 0 is float, float16 or int64. */
  readonly inputs?: (node: GraphNode) => Verdict;
  /** IsOpSupportedImpl; default: supported. */
  readonly check?: (node: GraphNode) => Verdict;
  /** IsTrivial: a partition of only trivial nodes is dropped (coreml_execution_provider.cc). */
  readonly trivial?: (node: GraphNode) => boolean;
  /** Rules this report does not transcribe: such nodes are counted as CPU and say so. */
  readonly notTranscribed?: true;
}

const MAX_OPSET = 27;
const MAX_RANK = 5;
/** helper.cc CheckShapeForConvMemoryLimit */
const CONV_DIM_LIMIT = 16384;
const FLOAT_TYPES: readonly number[] = [ONNX_TYPE.FLOAT, ONNX_TYPE.FLOAT16];

const typeName = (dtype: number): string =>
  ({ 1: 'float', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'double' })[dtype] ?? `type ${dtype}`;
const shapeText = (value: GraphValue): string => `[${(value.info?.shape ?? []).map((d) => (d === '' ? '?' : d)).join(', ')}]`;

function inputAt(node: GraphNode, index: number): GraphValue | null {
  return node.inputs[index] ?? null;
}
function dtypeOf(value: GraphValue | null): number {
  return value?.info?.dtype ?? ONNX_TYPE.UNDEFINED;
}
function shapeOf(value: GraphValue | null): number[] | null {
  const shape = value?.info?.shape;
  return shape ? numericShape(shape) : null;
}

/** BaseOpBuilder::IsInputDtypeSupport: float, and in an ML Program float16 and int64. */
function inputTypeIsSupported(node: GraphNode, index: number): Verdict {
  const dtype = dtypeOf(inputAt(node, index));
  if (dtype === ONNX_TYPE.FLOAT || dtype === ONNX_TYPE.FLOAT16 || dtype === ONNX_TYPE.INT64) {
    return null;
  }
  return `input ${index} is ${typeName(dtype)} (float, float16 or int64 only)`;
}

function staticInput0(node: GraphNode): Verdict {
  const value = inputAt(node, 0);
  const shape = value?.info?.shape;
  if (!shape) {
    return 'input has no shape';
  }
  return isStatic(shape) ? null : `needs a static input shape; ${value.name} is ${shapeText(value)}`;
}

const activation: Builder = {
  mlProgram: true,
  minOpset: (node) => (node.opType === 'Softplus' ? 1 : 6),
  check: (node) => {
    if (node.opType === 'HardSigmoid' && !FLOAT_TYPES.includes(dtypeOf(inputAt(node, 0)))) {
      return 'HardSigmoid input must be float or float16';
    }
    if (node.opType === 'PRelu') {
      return preluCheck(node);
    }
    return null;
  },
};

function preluCheck(node: GraphNode): Verdict {
  const x = shapeOf(inputAt(node, 0));
  if (!x) {
    return 'input has no shape';
  }
  if (x.length !== 3 && x.length !== 4) {
    return `PRelu input must have 3 or 4 dimensions (has ${x.length})`;
  }
  if (x[x.length - 3] === -1) {
    return 'PRelu input needs a known third-from-last dimension';
  }
  const slope = inputAt(node, 1);
  if (!slope?.isConstant) {
    return "PRelu 'slope' is not a constant initializer";
  }
  const slopeShape = shapeOf(slope) ?? [];
  const perChannel = slopeShape.length === 3 && slopeShape[1] === 1 && slopeShape[2] === 1;
  const single = slopeShape.reduce((a, b) => a * b, 1) === 1;
  if (!perChannel && !single) {
    return "PRelu 'slope' must be [C, 1, 1] or a single value";
  }
  return single && x[x.length - 3] === 1 ? 'PRelu with a single slope over one channel is not supported' : null;
}

const unary: Builder = { mlProgram: true, trivial: (node) => node.opType === 'Ceil' };

const binary: Builder = {
  mlProgram: true,
  minOpset: () => 7,
  inputs: (node) => {
    if (node.opType === 'Pow' && dtypeOf(inputAt(node, 0)) !== dtypeOf(inputAt(node, 1))) {
      return 'Pow with different base and exponent types';
    }
    return inputTypeIsSupported(node, 0);
  },
};

const reduction: Builder = {
  mlProgram: true,
  check: (node) => {
    const axes = inputAt(node, 1);
    return axes && !axes.isConstant ? 'axes input is not a constant initializer' : null;
  },
};

const normalization: Builder = {
  mlProgram: true,
  inputs: (node) => {
    const types = [0, 1, node.inputs.length > 2 ? 2 : 0].map((index) => dtypeOf(inputAt(node, index)));
    if (types.some((dtype) => dtype !== types[0])) {
      return 'input, scale and bias types differ';
    }
    return FLOAT_TYPES.includes(types[0]) ? null : `input is ${typeName(types[0])} (float or float16 only)`;
  },
  check: (node) => {
    if (node.outputs.length !== 1) {
      return 'more than one output (training-mode normalization)';
    }
    if (!inputAt(node, 0)?.info?.shape) {
      return 'input has no shape';
    }
    if (node.opType !== 'InstanceNormalization' && attributeNumber(node, 'stash_type', 1) !== 1) {
      return 'stash_type other than 1';
    }
    if (!inputAt(node, 1)?.isConstant) {
      return 'scale is not a constant initializer';
    }
    const bias = inputAt(node, 2);
    return bias && !bias.isConstant ? 'bias is not a constant initializer' : null;
  },
};

const logical: Builder = {
  mlProgram: true,
  inputs: (node) =>
    dtypeOf(inputAt(node, 0)) === ONNX_TYPE.BOOL && dtypeOf(inputAt(node, 1)) === ONNX_TYPE.BOOL ? null : 'both inputs must be bool',
};

const CAST_TYPES: readonly number[] = [ONNX_TYPE.INT32, ONNX_TYPE.INT64, ONNX_TYPE.FLOAT, ONNX_TYPE.FLOAT16, ONNX_TYPE.BOOL];
const cast: Builder = {
  mlProgram: true,
  trivial: () => true,
  inputs: (node) => {
    const from = dtypeOf(inputAt(node, 0));
    const to = node.outputs[0]?.info?.dtype ?? ONNX_TYPE.UNDEFINED;
    return CAST_TYPES.includes(from) && CAST_TYPES.includes(to) ? null : `cast from ${typeName(from)} to ${typeName(to)}`;
  },
};

const clip: Builder = {
  mlProgram: true,
  check: (node) => {
    if (!FLOAT_TYPES.includes(dtypeOf(inputAt(node, 0)))) {
      return 'Clip min/max are read for float and float16 inputs only';
    }
    let min = -Number.MAX_VALUE;
    let max = Number.MAX_VALUE;
    if (node.sinceVersion < 11) {
      min = attributeNumber(node, 'min', min);
      max = attributeNumber(node, 'max', max);
    } else {
      for (const [index, which] of [
        [1, 'min'],
        [2, 'max'],
      ] as const) {
        const bound = inputAt(node, index);
        if (!bound) {
          continue;
        }
        if (!bound.isConstant || !bound.data) {
          return `${which} is not a constant initializer`;
        }
        if (which === 'min') {
          min = bound.data.values[0];
        } else {
          max = bound.data.values[0];
        }
      }
    }
    return min === max ? 'min equals max' : null;
  },
};

const concat: Builder = {
  mlProgram: true,
  check: (node) => {
    if (node.inputs.length < 2) {
      return 'fewer than 2 inputs';
    }
    return inputAt(node, 0)?.info?.shape ? null : 'input has no shape';
  },
};

const conv: Builder = {
  mlProgram: true,
  check: (node) => {
    const weight = inputAt(node, 1);
    const w = shapeOf(weight);
    const x = shapeOf(inputAt(node, 0));
    const y = shapeOf(node.outputs[0] ?? null);
    if (!w || !x || !y) {
      return 'weight, input or output shape unknown';
    }
    for (const [what, shape] of [
      ['weight', w],
      ['input', x],
      ['output', y],
    ] as const) {
      if (shape.some((dim) => dim > CONV_DIM_LIMIT)) {
        return `${what} has a dimension over CoreML's convolution limit of ${CONV_DIM_LIMIT}`;
      }
    }
    if (w.length !== 3 && w.length !== 4) {
      return `only 1D and 2D convolutions (weight rank ${w.length})`;
    }
    const bias = inputAt(node, 2);
    if (bias && !bias.isConstant) {
      return 'bias is not a constant initializer';
    }
    const kernel = attributeList(node, 'kernel_shape');
    if (kernel && (kernel.length !== w.length - 2 || kernel.some((size, axis) => size !== w[axis + 2]))) {
      return 'kernel_shape does not match the weight shape';
    }
    return null;
  },
};

const depthToSpace: Builder = {
  mlProgram: true,
  check: (node) => {
    const shape = inputAt(node, 0)?.info?.shape;
    if (!shape) {
      return 'input has no shape';
    }
    return attributeString(node, 'mode', 'DCR') === 'CRD' && !isStatic(shape) ? 'CRD mode needs a static input shape' : null;
  },
};

const gather: Builder = {
  mlProgram: true,
  inputs: (node) => {
    const dtype = dtypeOf(inputAt(node, 0));
    return [ONNX_TYPE.FLOAT, ONNX_TYPE.FLOAT16, ONNX_TYPE.INT64].includes(dtype as 1) ? null : `data is ${typeName(dtype)}`;
  },
  check: (node) => {
    const data = shapeOf(inputAt(node, 0));
    const indices = shapeOf(inputAt(node, 1));
    if (!data || !indices) {
      return 'data or indices shape unknown';
    }
    const indicesType = dtypeOf(inputAt(node, 1));
    if (indicesType !== ONNX_TYPE.INT32 && indicesType !== ONNX_TYPE.INT64) {
      return `indices are ${typeName(indicesType)}`;
    }
    if (indices.length === 0) {
      if (data.includes(-1)) {
        return `scalar indices need a static data shape; ${inputAt(node, 0)?.name} is ${shapeText(inputAt(node, 0) as GraphValue)}`;
      }
      if (data.length > 4) {
        return 'scalar indices with data of rank > 4';
      }
    }
    return data.length + indices.length - 1 > MAX_RANK ? 'output rank > 5' : null;
  },
};

const gemm: Builder = {
  mlProgram: true,
  check: (node) => {
    const a = shapeOf(inputAt(node, 0));
    const b = shapeOf(inputAt(node, 1));
    if (!a || !b) {
      return 'A or B shape unknown';
    }
    const isMatMul = node.opType === 'MatMul';
    if (!isMatMul && !inputAt(node, 1)?.isConstant) {
      return 'Gemm B is not a constant initializer';
    }
    if (isMatMul) {
      return (a.length === 1 && b.length > 1) || (a.length > 1 && b.length === 1) ? 'MatMul with one 1-D input (CoreML ML Program bug)' : null;
    }
    const transB = attributeNumber(node, 'transB', 0);
    if (attributeNumber(node, 'transA', 0) !== 0 || attributeNumber(node, 'alpha', 1) !== 1 || attributeNumber(node, 'beta', 1) !== 1) {
      return 'Gemm with transA, alpha ≠ 1 or beta ≠ 1';
    }
    const c = inputAt(node, 2);
    if (!c) {
      return null;
    }
    if (!c.isConstant) {
      return 'Gemm C is not a constant initializer';
    }
    const cShape = shapeOf(c) ?? [];
    const n = transB ? b[0] : b[1];
    const valid = cShape.length === 0 || (cShape.length === 1 && (cShape[0] === 1 || cShape[0] === n)) || (cShape.length === 2 && cShape[0] === 1 && cShape[1] === n);
    return valid ? null : 'Gemm C is not {}, {1}, {N} or {1, N}';
  },
};

const pad: Builder = {
  mlProgram: true,
  minOpset: () => 11,
  inputs: (node) => (FLOAT_TYPES.includes(dtypeOf(inputAt(node, 0))) ? null : 'input must be float or float16'),
  check: (node) => {
    const shape = shapeOf(inputAt(node, 0));
    if (!shape || shape.length === 0) {
      return 'input shape unknown or scalar';
    }
    if (shape.includes(0)) {
      return 'empty input';
    }
    const mode = attributeString(node, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect') {
      return `mode '${mode}' (constant and reflect only)`;
    }
    const constantValue = inputAt(node, 2);
    if (mode === 'constant' && constantValue && !constantValue.isConstant) {
      return 'constant_value is not a constant initializer';
    }
    const pads = inputAt(node, 1);
    if (!pads?.isConstant || !pads.data) {
      return 'pads is not a constant initializer';
    }
    if (pads.data.values.some((value) => value < 0)) {
      return 'negative pads';
    }
    const axesInput = inputAt(node, 3);
    if (axesInput && (!axesInput.isConstant || !axesInput.data)) {
      return 'axes is not a constant initializer';
    }
    const rank = shape.length;
    const axes = axesInput?.data ? axesInput.data.values.map((axis) => (axis < 0 ? axis + rank : axis)) : shape.map((_, axis) => axis);
    const values = pads.data.values;
    for (let i = 0; i < axes.length; i++) {
      const [before, after] = [values[i], values[i + axes.length]];
      if (mode !== 'constant' && axes[i] < rank - 2 && (before !== 0 || after !== 0)) {
        return `only the last two dimensions are padded in ${mode} mode`;
      }
      if (mode === 'reflect' && (before >= shape[axes[i]] || after >= shape[axes[i]])) {
        return 'reflect pad not smaller than the dimension';
      }
    }
    return null;
  },
};

const reshape: Builder = {
  mlProgram: true,
  minOpset: () => 5,
  trivial: () => true,
  check: (node) => {
    const newShape = inputAt(node, 1);
    if (!newShape?.isConstant || !newShape.data) {
      return 'new shape is not a constant initializer';
    }
    if (newShape.data.values.length === 0) {
      return 'empty new shape';
    }
    const staticProblem = staticInput0(node);
    if (staticProblem) {
      return staticProblem;
    }
    if ((shapeOf(inputAt(node, 0)) ?? []).length === 0) {
      return 'scalar input';
    }
    if (newShape.data.values.length > MAX_RANK) {
      return `new shape has rank ${newShape.data.values.length} > 5`;
    }
    return attributeNumber(node, 'allowzero', 0) === 1 && newShape.data.values.includes(0) ? 'allowzero with a 0 in the new shape' : null;
  },
};

const resize: Builder = {
  mlProgram: true,
  minOpset: () => 11,
  allowEmptyInputs: true,
  check: resizeCheck,
};

function resizeCheck(node: GraphNode): Verdict {
  const shape = shapeOf(inputAt(node, 0));
  if (!shape) {
    return 'input shape unknown';
  }
  if (shape.includes(0)) {
    return 'empty input';
  }
  const rank = shape.length;
  if (rank < 3 || rank > 5) {
    return `input rank ${rank} (3 to 5 only)`;
  }
  if (attributeNumber(node, 'antialias', 0) !== 0) {
    return 'antialias';
  }
  const mode = attributeString(node, 'mode', 'nearest');
  if (mode !== 'linear' && mode !== 'nearest') {
    return `mode '${mode}'`;
  }
  if (mode === 'nearest' && attributeString(node, 'nearest_mode', 'round_prefer_floor') !== 'floor') {
    return "nearest mode other than 'floor'";
  }
  if (attributeNumber(node, 'exclude_outside', 0) !== 0) {
    return 'exclude_outside';
  }
  if (attributeString(node, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') {
    return "keep_aspect_ratio_policy other than 'stretch'";
  }
  const sizes = inputAt(node, 3);
  const scales = sizes ? null : inputAt(node, 2);
  if (!sizes && !scales) {
    return 'neither scales nor sizes';
  }
  const axesAttribute = attributeList(node, 'axes');
  const axes = axesAttribute ? axesAttribute.map((axis) => (axis < 0 ? axis + rank : axis)) : shape.map((_, axis) => axis);
  let outH: number;
  let outW: number;
  if (scales) {
    if (shape[rank - 2] === -1 || shape[rank - 1] === -1) {
      return 'scales with dynamic H or W';
    }
    if (!scales.isConstant || !scales.data) {
      return 'scales is not a constant initializer';
    }
    const values = scales.data.values;
    if (axes.some((axis, i) => axis < rank - 2 && values[i] !== 1)) {
      return 'resizes an axis other than the last two';
    }
    const [scaleH, scaleW] = [values[values.length - 2], values[values.length - 1]];
    if (scaleH >= 1 && scaleW >= 1) {
      if (Math.round(scaleH) !== scaleH || Math.round(scaleW) !== scaleW) {
        return 'upsampling scale is not a whole number';
      }
    } else if (scaleH <= 1 && scaleW <= 1) {
      if (!reciprocalDivides(shape[rank - 2], scaleH) || !reciprocalDivides(shape[rank - 1], scaleW)) {
        return 'downsampling scale is not 1 / a factor of the input size';
      }
    } else {
      return 'scales must both be ≥ 1 or both ≤ 1';
    }
    outH = Math.round(shape[rank - 2] * scaleH);
    outW = Math.round(shape[rank - 1] * scaleW);
  } else {
    if (!sizes?.isConstant || !sizes.data) {
      return 'sizes is not a constant initializer';
    }
    const values = sizes.data.values;
    if (axes.some((axis, i) => axis < rank - 2 && shape[i] !== values[i])) {
      return 'resizes an axis other than the last two';
    }
    [outH, outW] = [values[values.length - 2], values[values.length - 1]];
  }
  let coordinates = attributeString(node, 'coordinate_transformation_mode', 'half_pixel');
  if (mode === 'nearest') {
    return coordinates === 'asymmetric' ? null : "nearest needs coordinate_transformation_mode 'asymmetric'";
  }
  if (coordinates === 'pytorch_half_pixel' && outH > 1 && outW > 1) {
    coordinates = 'half_pixel';
  }
  const supported = coordinates === 'half_pixel' || coordinates === 'align_corners' || (sizes !== null && coordinates === 'asymmetric');
  return supported ? null : `linear with coordinate_transformation_mode '${coordinates}'`;
}

/** onnxruntime/core/providers/utils.cc ReciprocalIsAFactorOfN */
function reciprocalDivides(n: number, scale: number): boolean {
  if (!(scale > 0 && scale < 1)) {
    return false;
  }
  const factor = 1 / scale;
  const rounded = Math.round(factor);
  return Math.abs(factor - rounded) < 1e-4 && n % rounded === 0;
}

const shapeOp: Builder = {
  mlProgram: true,
  inputs: (node) => {
    const dtype = dtypeOf(inputAt(node, 0));
    return [ONNX_TYPE.INT32, ONNX_TYPE.FLOAT, ONNX_TYPE.FLOAT16, ONNX_TYPE.INT64].includes(dtype as 1) ? null : `input is ${typeName(dtype)}`;
  },
  check: (node) => {
    const start = attributeNumber(node, 'start', 0);
    const hasEnd = node.attributes.has('end');
    if (!hasEnd && start === 0) {
      return null;
    }
    const shape = inputAt(node, 0)?.info?.shape;
    if (!shape) {
      return 'slicing Shape of a value without a shape';
    }
    const rank = shape.length;
    const norm = (axis: number): number => (axis < 0 ? axis + rank : axis);
    const size = (hasEnd ? norm(attributeNumber(node, 'end', -1)) : rank) - norm(start);
    return size === 0 ? 'Shape slice of size 0' : null;
  },
};

const slice: Builder = {
  mlProgram: true,
  minOpset: () => 10,
  inputs: (node) => {
    const dtype = dtypeOf(inputAt(node, 0));
    return [ONNX_TYPE.FLOAT, ONNX_TYPE.FLOAT16, ONNX_TYPE.INT64].includes(dtype as 1) ? null : `input is ${typeName(dtype)}`;
  },
  check: (node) => {
    const staticProblem = staticInput0(node);
    if (staticProblem) {
      return staticProblem;
    }
    const names = ['starts', 'ends', 'axes', 'steps'];
    const params: number[][] = [];
    for (let k = 0; k < 4; k++) {
      const value = inputAt(node, k + 1);
      if (!value) {
        params.push([]);
        continue;
      }
      if (!value.isConstant || !value.data) {
        return `'${names[k]}' is not a constant initializer`;
      }
      params.push([...value.data.values]);
    }
    return sliceRangeProblem(numericShape(inputAt(node, 0)?.info?.shape ?? []), params[0], params[1], params[2], params[3]);
  },
};

/** slice_helper.h PrepareForComputeHelper's normalisation, then the CoreML check for an empty range. */
function sliceRangeProblem(dims: number[], starts: number[], ends: number[], rawAxes: number[], steps: number[]): Verdict {
  const axes = rawAxes.length > 0 ? rawAxes : starts.map((_, i) => i);
  const seen = new Set<number>();
  for (let i = 0; i < axes.length; i++) {
    const axis = axes[i] < 0 ? axes[i] + dims.length : axes[i];
    if (axis < 0 || axis >= dims.length || seen.has(axis)) {
      return "'axes' out of range or repeated";
    }
    seen.add(axis);
    const dim = dims[axis];
    let step = i < steps.length ? steps[i] : 1;
    if (step === 0) {
      return "'step' is 0";
    }
    step = Math.min(Math.max(step, -dim), dim);
    let start = starts[i] < 0 ? starts[i] + dim : starts[i];
    start = step < 0 ? Math.min(Math.max(start, 0), dim - 1) : Math.min(Math.max(start, 0), dim);
    let end = ends[i];
    if (end >= 2 ** 31 - 1) {
      end = step < 0 ? -1 : dim;
    } else {
      end = end < 0 ? end + dim : end;
      end = step < 0 ? Math.min(Math.max(end, -1), dim - 1) : Math.min(Math.max(end, 0), dim);
    }
    if ((step > 0 && start >= end) || (step < 0 && start <= end)) {
      return `empty range [${start}, ${end}) with step ${step}`;
    }
  }
  return null;
}

const split: Builder = {
  mlProgram: true,
  check: (node) => {
    const shape = shapeOf(inputAt(node, 0));
    if (!shape) {
      return 'input has no shape';
    }
    const axis = attributeNumber(node, 'axis', 0);
    const atAxis = shape[axis < 0 ? axis + shape.length : axis];
    const splitInput = inputAt(node, 1);
    const sizes = splitInput ? splitInput.data?.values : attributeList(node, 'split');
    if (splitInput && (!splitInput.isConstant || !splitInput.data)) {
      return "'split' is not a constant initializer";
    }
    if (sizes) {
      if (sizes.length < 2) {
        return 'fewer than 2 outputs';
      }
      if (atAxis === -1) {
        return 'dynamic size at the split axis';
      }
      if (sizes.reduce((a, b) => a + b, 0) !== atAxis) {
        return "'split' does not sum to the axis size";
      }
      return sizes.some((size) => size <= 0) ? "'split' has a size ≤ 0" : null;
    }
    const outputs = node.outputs.length;
    if (node.sinceVersion >= 18) {
      const count = attributeNumber(node, 'num_outputs', -1);
      if (count < 2) {
        return 'num_outputs missing or < 2';
      }
      return count !== outputs || count > atAxis ? 'num_outputs does not match the outputs or the axis size' : null;
    }
    if (outputs < 2) {
      return 'fewer than 2 outputs';
    }
    if (atAxis === -1) {
      return 'dynamic size at the split axis';
    }
    return atAxis % outputs !== 0 ? 'uneven split without sizes' : null;
  },
};

const softmax: Builder = {
  mlProgram: true,
  check: (node) => {
    const shape = inputAt(node, 0)?.info?.shape;
    if (!shape) {
      return 'input has no shape';
    }
    return !isStatic(shape) && node.sinceVersion < 13 ? 'dynamic shape before opset 13' : null;
  },
};

const squeeze: Builder = {
  mlProgram: true,
  trivial: () => true,
  check: (node) => {
    const axes = inputAt(node, 1);
    if (node.sinceVersion > 12 && node.inputs.length > 1 && !axes?.isConstant) {
      return 'axes is not a constant initializer';
    }
    if (node.opType !== 'Unsqueeze') {
      return null;
    }
    const added = node.sinceVersion > 12 ? Number(shapeOf(axes)?.[0] ?? 0) : (attributeList(node, 'axes') ?? []).length;
    const shape = shapeOf(inputAt(node, 0));
    return !shape || shape.length + added > MAX_RANK ? 'output rank > 5 (or input shape unknown)' : null;
  },
};

const tile: Builder = {
  mlProgram: true,
  trivial: () => true,
  inputs: (node) => {
    const dtype = dtypeOf(inputAt(node, 0));
    return [ONNX_TYPE.FLOAT, ONNX_TYPE.FLOAT16, ONNX_TYPE.INT32, ONNX_TYPE.INT64, ONNX_TYPE.BOOL].includes(dtype as 1) ? null : `input is ${typeName(dtype)}`;
  },
  check: (node) => {
    const shape = shapeOf(inputAt(node, 0));
    if (!shape || shape.length > MAX_RANK) {
      return 'input shape unknown or rank > 5';
    }
    const repeats = inputAt(node, 1);
    if (repeats?.isConstant && repeats.data) {
      if (repeats.data.values.length !== shape.length) {
        return 'repeats length differs from the input rank';
      }
      return repeats.data.values.some((r) => r < 1) ? 'repeats < 1' : null;
    }
    return null;
  },
};

const where: Builder = {
  mlProgram: true,
  inputs: (node) => {
    if (dtypeOf(inputAt(node, 0)) !== ONNX_TYPE.BOOL) {
      return 'condition is not bool';
    }
    const [x, y] = [dtypeOf(inputAt(node, 1)), dtypeOf(inputAt(node, 2))];
    return FLOAT_TYPES.includes(x) && x === y ? null : 'X and Y must both be float or both float16';
  },
};

const trivialPlain: Builder = { mlProgram: true, trivial: () => true };
const notTranscribed: Builder = { mlProgram: true, notTranscribed: true };
const neuralNetworkOnly: Builder = { mlProgram: false };

/** op_builder_factory.cc: the op types with a builder (keyed by op type alone, whatever the domain). */
const BUILDERS: Record<string, Builder> = {
  ...Object.fromEntries(['Sigmoid', 'Tanh', 'Relu', 'PRelu', 'LeakyRelu', 'Gelu', 'Softplus', 'Elu', 'HardSigmoid'].map((op) => [op, activation])),
  ...Object.fromEntries(['Erf', 'Reciprocal', 'Round', 'Sqrt', 'Exp', 'Sin', 'Cos', 'Ceil'].map((op) => [op, unary])),
  ...Object.fromEntries(['Add', 'Div', 'Mul', 'Max', 'Pow', 'Sub'].map((op) => [op, binary])),
  ...Object.fromEntries(['ReduceMean', 'ReduceMin', 'ReduceMax', 'ReduceProd', 'ReduceSum'].map((op) => [op, reduction])),
  ...Object.fromEntries(['GroupNormalization', 'InstanceNormalization', 'LayerNormalization'].map((op) => [op, normalization])),
  // Builders whose checks this report does not transcribe (none of them appear in the exported units).
  ...Object.fromEntries(
    ['QuickGelu', 'FusedConv', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'MaxPool', 'BatchNormalization', 'ArgMax', 'ConvTranspose', 'GatherND', 'GridSample'].map(
      (op) => [op, notTranscribed],
    ),
  ),
  Flatten: neuralNetworkOnly,
  LRN: neuralNetworkOnly,
  And: logical,
  Cast: cast,
  Clip: clip,
  Concat: concat,
  Conv: conv,
  DepthToSpace: depthToSpace,
  Gather: gather,
  Gemm: gemm,
  MatMul: gemm,
  Identity: trivialPlain,
  Pad: pad,
  Reshape: reshape,
  Resize: resize,
  Shape: shapeOp,
  Slice: slice,
  Split: split,
  Softmax: softmax,
  Squeeze: squeeze,
  Unsqueeze: squeeze,
  Tile: tile,
  Transpose: trivialPlain,
  Where: where,
};

/** BaseOpBuilder::IsOpSupported for one node: null when the CoreML EP (ML Program) takes it, else why not. */
export function coremlVerdict(node: GraphNode): Verdict {
  const builder = BUILDERS[node.opType];
  if (!builder) {
    return `no CoreML op builder for ${node.domain ? `${node.domain}:` : ''}${node.opType}`;
  }
  if (builder.notTranscribed) {
    return `${node.opType}: support checks not transcribed by this report (counted as CPU)`;
  }
  if (!builder.mlProgram) {
    return `${node.opType} has no ML Program builder`;
  }
  const minOpset = builder.minOpset?.(node) ?? 1;
  if (node.sinceVersion < minOpset || node.sinceVersion > MAX_OPSET) {
    return `${node.opType}-${node.sinceVersion} is outside the builder's opsets [${minOpset}, ${MAX_OPSET}]`;
  }
  for (const input of node.inputs) {
    const problem = input ? inputProblem(input, builder.allowEmptyInputs === true) : null;
    if (problem) {
      return problem;
    }
  }
  return (builder.inputs ? builder.inputs(node) : inputTypeIsSupported(node, 0)) ?? builder.check?.(node) ?? null;
}

/** helper.cc IsInputSupported (the EP is not told to require static input shapes). */
function inputProblem(input: GraphValue, allowEmpty: boolean): Verdict {
  const shape = input.info?.shape;
  if (!shape) {
    return `input ${input.name} has no shape`;
  }
  if (!allowEmpty && shape.includes(0)) {
    return `input ${input.name} has a dimension of 0`;
  }
  return shape.length > MAX_RANK ? `input ${input.name} has rank ${shape.length} > 5 ${shapeText(input)}` : null;
}

/** IOpBuilder::IsTrivial for a node the EP takes. */
export function isTrivialNode(node: GraphNode): boolean {
  return BUILDERS[node.opType]?.trivial?.(node) ?? false;
}
