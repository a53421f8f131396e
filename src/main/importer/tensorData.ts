/** Element types a checkpoint may hold (safetensors codes; PyTorch storages map onto them). */
export type TensorDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const ITEM_BYTES: Record<TensorDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Dimensions, dtype and little-endian bytes of one tensor, row-major. */
export interface RawTensor {
  dtype: TensorDtype;
  shape: number[];
  bytes: Buffer;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
  }
  return n;
}

/** Largest rank and element count accepted from a header (a bound, not a model fact: T5-XXL's largest is 1.3e8). */
export const MAX_RANK = 8;
export const MAX_ELEMENTS = 2 ** 40;

/** A shape read from a file: a short list of non-negative safe integers whose product stays bounded. */
export function isValidShape(shape: unknown): shape is number[] {
  if (!Array.isArray(shape) || shape.length > MAX_RANK) {
    return false;
  }
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return false;
    }
    n *= d;
  }
  return n <= MAX_ELEMENTS;
}

/** Widens (or narrows, for F64) a floating tensor to float32; integer tensors are refused by the caller. */
export function toFloat32(t: RawTensor): Float32Array {
  const n = elementCount(t.shape);
  const b = t.bytes;
  switch (t.dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = b.readFloatLE(4 * i);
      }
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = halfToFloat(b.readUInt16LE(2 * i));
      }
      return out;
    }
    case 'BF16': {
      const wide = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        wide[i] = b.readUInt16LE(2 * i) << 16;
      }
      return new Float32Array(wide.buffer);
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = b.readDoubleLE(8 * i);
      }
      return out;
    }
    default:
      throw new Error(`toFloat32: ${t.dtype} is not a floating type`);
  }
}

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE binary16 → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) {
    return sign * mantissa * 2 ** -24;
  }
  if (exponent === 31) {
    return mantissa ? NaN : sign * Infinity;
  }
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** float32 → IEEE binary16 bits, rounding to nearest even; overflow gives ±Infinity. */
export function floatToHalf(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) {
    return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  }
  const e = exponent - 127 + 15;
  if (e >= 31) {
    return sign | 0x7c00;
  }
  if (e <= 0) {
    if (e < -10) {
      return sign;
    }
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let bits = mantissa >>> shift;
    if (rest > half || (rest === half && bits & 1)) {
      bits++;
    }
    return sign | bits;
  }
  const rest = mantissa & 0x1fff;
  let bits = (e << 10) | (mantissa >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) {
    bits++; // may carry into the exponent, which is the correct rounding (up to Infinity)
  }
  return sign | bits;
}
