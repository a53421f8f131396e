"""The studio engine's seeded Gaussian noise (src/main/engine/sampler/random.ts) in Python, so that reference
samplers start from the latent the engine starts from: seed -> four state words (a xorshift-multiply finaliser),
xoshiro128** (Blackman & Vigna, 2018) for 32-bit uniforms u = (x + 0.5) / 2^32, Box-Muller in float64 (u1 then u2;
radius·cos then radius·sin), each value rounded to float32.
"""
import math

import numpy as np

MASK = 0xFFFFFFFF
GOLDEN_GAMMA = 0x9E3779B9
HI_SALT = 0x6A09E667


def _mix32(x):
    x &= MASK
    x ^= x >> 16
    x = (x * 0x21F0AAAD) & MASK
    x ^= x >> 15
    x = (x * 0x735A2D97) & MASK
    x ^= x >> 15
    return x


def _rotl(x, bits):
    return ((x << bits) | (x >> (32 - bits))) & MASK


def standard_normal(seed, count):
    """`count` float32 standard normal values for an integer seed in [0, 2^53): the engine's standardNormalNoise."""
    lo, hi = seed % 2**32, seed // 2**32
    s = [_mix32(lo + (k + 1) * GOLDEN_GAMMA) ^ _mix32((hi ^ HI_SALT) + (k + 1) * GOLDEN_GAMMA) for k in range(4)]
    if not any(s):
        s[0] = 1

    def uniform():
        s0, s1, s2, s3 = s
        result = (_rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 9) & MASK
        n2, n3 = s2 ^ s0, s3 ^ s1
        s[0], s[1], s[2], s[3] = s0 ^ n3, s1 ^ n2, n2 ^ t, _rotl(n3, 11)
        return (result + 0.5) / 2**32

    out = np.empty(count, dtype=np.float32)
    for i in range(0, count, 2):
        radius = math.sqrt(-2 * math.log(uniform()))
        angle = 2 * math.pi * uniform()
        out[i] = radius * math.cos(angle)
        if i + 1 < count:
            out[i + 1] = radius * math.sin(angle)
    return out
