/**
 * FLOP (2 × multiply-accumulates) of one CFG-batched STDiT3 denoising step's matrix products and attention,
 * computed from the sizes; elementwise work (norms, modulation, activations) is left out. Per block pair of N
 * tokens (N = batch · T · S, S patches per frame) and L caption tokens:
 *   self-attention: qkv and output projections 4c²·N, scores and weighted sum 2·S·c·N (spatial) or 2·T·c·N (temporal);
 *   cross-attention: q and output projections 2c²·N, k and v of the caption 2c²·batch·L, scores 2·L·c·N;
 *   MLP (4 × widening): 8c²·N;
 * plus the caption embedder's two layers (captionChannels·c + c²) per caption token.
 * TDTM (docs/techniques.md §TDTM) runs both attentions, with their projections, on ⌈T/2⌉ merged frames; the MLP
 * and the caption's k/v keep their sizes. So normal / merged is the ceiling of what merging can save.
 */
export interface StepSizes {
  readonly hiddenSize: number;
  /** Block pairs (spatial i, temporal i). */
  readonly depth: number;
  readonly patchSize: readonly [number, number, number];
  readonly captionChannels: number;
  readonly latent: { readonly frames: number; readonly height: number; readonly width: number };
  readonly textTokens: number;
  readonly cfgBatch: number;
}

const MLP_RATIO = 4;

export function stepFlop(sizes: StepSizes, options: { merged: boolean }): number {
  const c = sizes.hiddenSize;
  const frames = sizes.latent.frames;
  const attendedFrames = options.merged ? Math.ceil(frames / 2) : frames;
  const patches = Math.ceil(sizes.latent.height / sizes.patchSize[1]) * Math.ceil(sizes.latent.width / sizes.patchSize[2]);
  const tokens = sizes.cfgBatch * frames * patches;
  const attendedTokens = sizes.cfgBatch * attendedFrames * patches;
  const captionTokens = sizes.cfgBatch * sizes.textTokens;
  const mlp = 2 * MLP_RATIO * c * c * tokens;
  const crossKeysValues = 2 * c * c * captionTokens;
  const attention = (sequence: number): number => attendedTokens * (4 * c * c + 2 * sequence * c + 2 * c * c + 2 * sizes.textTokens * c);
  const pair = attention(patches) + attention(attendedFrames) + 2 * (mlp + crossKeysValues);
  const caption = captionTokens * (sizes.captionChannels * c + c * c);
  return 2 * (sizes.depth * pair + caption);
}
