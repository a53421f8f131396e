import { describe, expect, it } from 'vitest';
import { stepFlop, type StepSizes } from '../../src/main/bench/realSize/stepFlop';

/**
 * c = 4, one block pair, patch 2 × 2 on a 3 × 4 × 4 latent (S = 4 patches, T = 3 frames), CFG batch 2 (N = 24
 * tokens), 2 caption tokens of 8 channels. Multiply-accumulates by hand:
 *   per token: self-attention projections 4c² = 64, cross q + out 2c² = 32, MLP 8c² = 128;
 *   spatial scores 2·S·c = 32, temporal scores 2·T·c = 24, cross scores 2·L·c = 16; caption k/v 2c²·B·L = 128.
 *   spatial block 24·(64 + 32 + 128 + 32 + 16) + 128 = 6656; temporal 24·(64 + 32 + 128 + 24 + 16) + 128 = 6464;
 *   caption embedder B·L·(8·4 + 4²) = 192; in all 13312 MAC = 26624 FLOP.
 * Merged: ⌈3/2⌉ = 2 frames attend (16 tokens), the MLP keeps 24 tokens (24·128 = 3072):
 *   spatial 16·(64 + 32 + 32 + 16) + 3072 + 128 = 5504; temporal scores 2·2·4 = 16: 16·(64 + 32 + 16 + 16) + 3072 + 128 = 5248;
 *   in all 5504 + 5248 + 192 = 10944 MAC = 21888 FLOP.
 */
const small: StepSizes = { hiddenSize: 4, depth: 1, patchSize: [1, 2, 2], captionChannels: 8, latent: { frames: 3, height: 4, width: 4 }, textTokens: 2, cfgBatch: 2 };

describe('stepFlop', () => {
  it('counts the matrix products and attention of a normal step', () => {
    expect(stepFlop(small, { merged: false })).toBe(26624);
  });

  it('counts the TDTM step with attention on the merged frames and the MLP at full length', () => {
    expect(stepFlop(small, { merged: true })).toBe(21888);
  });

  it('grows linearly with the block pairs, beside the caption embedder', () => {
    const deeper = stepFlop({ ...small, depth: 3 }, { merged: false });
    expect(deeper).toBe(2 * (3 * (6656 + 6464) + 192));
  });

  it("puts Open-Sora 1.2's TDTM ceiling at 144p × 51 frames near 1.25×", () => {
    const real: StepSizes = { hiddenSize: 1152, depth: 28, patchSize: [1, 2, 2], captionChannels: 4096, latent: { frames: 15, height: 18, width: 32 }, textTokens: 300, cfgBatch: 2 };
    const ceiling = stepFlop(real, { merged: false }) / stepFlop(real, { merged: true });
    expect(ceiling).toBeGreaterThan(1.2);
    expect(ceiling).toBeLessThan(1.35);
  });
});
