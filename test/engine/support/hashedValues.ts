/**
 * The counter-based numbers of the committed test chains (test/fixtures/make_chain.py, `hashed_uniform`):
 * value i = ((fmix32(i ^ key) >>> 8) / 2^23 − 1) · scale, rounded to float32. Python and this file give the same
 * bits, so the tests write the chains' weights (52 MB for the large one) instead of the repository holding them.
 */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export interface HashedTensor {
  readonly key: number;
  readonly count: number;
  readonly scale: number;
}

export function hashedUniform({ key, count, scale }: HashedTensor): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = (fmix32((i ^ key) >>> 0) >>> 8) / (1 << 23) - 1;
    values[i] = u * scale;
  }
  return values;
}
