/**
 * Seeded Gaussian noise that is bit-identical on every platform, for reproducible generations from a seed
 * (CUDA's Philox stream cannot be reproduced anyway, docs/open-sora.md §Noise).
 *
 * Algorithm (fixed; changing it changes every seeded result, so the golden test pins it):
 * 1. Seed: an integer in [0, 2^53). Split into lo = seed mod 2^32 and hi = floor(seed / 2^32). Each of the
 *    four 32-bit state words s_k (k = 0…3) is mix32(lo + (k+1)·0x9E3779B9) XOR mix32((hi XOR 0x6A09E667) +
 *    (k+1)·0x9E3779B9), all mod 2^32, where mix32 is the xorshift-multiply finaliser
 *    x ^= x>>>16; x *= 0x21F0AAAD; x ^= x>>>15; x *= 0x735A2D97; x ^= x>>>15. An all-zero state (which
 *    xoshiro cannot leave) is replaced by s_0 = 1.
 * 2. Uniform bits: xoshiro128** (Blackman & Vigna, 2018), 128-bit state, 32-bit outputs, using only 32-bit
 *    integer operations (Math.imul, shifts, XOR), which are exact everywhere.
 * 3. Uniform (0, 1): u = (x + 0.5)·2^−32 for a 32-bit output x (never 0 or 1, so log(u) is finite).
 * 4. Box–Muller in float64: with u1 then u2 drawn in that order, ρ = sqrt(−2·ln u1), φ = 2π·u2, the pair
 *    (ρ·cos φ, ρ·sin φ) is emitted in that order, each rounded to float32. An unpaired second value is kept
 *    for the next request, so the stream does not depend on how callers chunk their requests.
 * Math.log/cos/sin come from V8's fdlibm port (the same code on every OS and CPU that Node/Electron run on);
 * the float32 rounding then only sees identical float64 inputs.
 */

const GOLDEN_GAMMA = 0x9e3779b9;
const HI_SALT = 0x6a09e667;
const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;

export interface GaussianSource {
  /** Next raw 32-bit output of xoshiro128**, as an unsigned integer. */
  nextUint32(): number;
  /** Fills `out` with standard normal float32 samples, continuing the stream; returns `out`. */
  fillStandardNormal(out: Float32Array): Float32Array;
}

/** Creates an independent generator for an integer seed in [0, Number.MAX_SAFE_INTEGER]. */
export function createGaussianSource(seed: number): GaussianSource {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be an integer in [0, ${Number.MAX_SAFE_INTEGER}], got ${seed}`);
  }
  const lo = seed % TWO_POW_32;
  const hi = Math.floor(seed / TWO_POW_32);
  const state = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    const step = Math.imul(k + 1, GOLDEN_GAMMA);
    state[k] = mix32((lo + step) | 0) ^ mix32(((hi ^ HI_SALT) + step) | 0);
  }
  if ((state[0] | state[1] | state[2] | state[3]) === 0) {
    state[0] = 1;
  }

  let spare = 0;
  let hasSpare = false;

  function nextUint32(): number {
    return xoshiro128StarStarNext(state);
  }

  function nextUniformOpen(): number {
    return (nextUint32() + 0.5) * TWO_POW_MINUS_32;
  }

  function fillStandardNormal(out: Float32Array): Float32Array {
    let i = 0;
    if (hasSpare && out.length > 0) {
      out[i++] = spare;
      hasSpare = false;
    }
    while (i < out.length) {
      const radius = Math.sqrt(-2 * Math.log(nextUniformOpen()));
      const angle = 2 * Math.PI * nextUniformOpen();
      out[i++] = radius * Math.cos(angle);
      const second = Math.fround(radius * Math.sin(angle));
      if (i < out.length) {
        out[i++] = second;
      } else {
        spare = second;
        hasSpare = true;
      }
    }
    return out;
  }

  return { nextUint32, fillStandardNormal };
}

/** Convenience: `length` standard normal float32 samples from a fresh generator seeded with `seed`. */
export function standardNormalNoise(seed: number, length: number): Float32Array {
  return createGaussianSource(seed).fillStandardNormal(new Float32Array(length));
}

/**
 * One xoshiro128** step on a 4-word state (updated in place); returns the 32-bit output as an unsigned
 * integer. Exported for the reference-vector test.
 */
export function xoshiro128StarStarNext(state: Uint32Array): number {
  const s0 = state[0];
  const s1 = state[1];
  const s2 = state[2];
  const s3 = state[3];
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  // Uint32Array stores wrap every value to 32 bits.
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  state[0] = s0 ^ n3;
  state[1] = s1 ^ n2;
  state[2] = n2 ^ t;
  state[3] = rotl(n3, 11);
  return result;
}

function rotl(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}

function mix32(input: number): number {
  let x = input;
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}
