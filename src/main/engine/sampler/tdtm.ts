/**
 * Temporal Dimension Token Merging (On-device Sora paper §3, with the §8 #7 rule for odd T).
 *
 * Frames are grouped (0,1), (2,3), …; an odd last frame is a group of its own. Merging averages each
 * group's tokens, so T frames become ceil(T/2); unmerging copies each group's tokens back to all its frames.
 * For even T this is exactly the paper's operator. The exported TDTM block graphs do this internally; these
 * reference functions exist to test those graphs and to document the operator.
 */

/** Token layout [B, T, S, C]: batch, latent frames, tokens per frame, hidden channels (float32). */
export interface TokenGridShape {
  readonly batch: number;
  readonly frames: number;
  readonly tokensPerFrame: number;
  readonly channels: number;
}

/** Frames after merging: ceil(T/2). */
export function mergedFrameCount(frames: number): number {
  return Math.ceil(frames / 2);
}

/**
 * Merge over time.
 * @param tokens [B, T, S, C] float32.
 * @param out [B, ceil(T/2), S, C] float32 (preallocated, overwritten).
 * @param shape the unmerged shape of `tokens`.
 */
export function mergeTemporalPairsInto(out: Float32Array, tokens: Float32Array, shape: TokenGridShape): Float32Array {
  const { batch, frames } = shape;
  const frameSize = shape.tokensPerFrame * shape.channels;
  const merged = mergedFrameCount(frames);
  assertLength('tokens', tokens.length, batch * frames * frameSize);
  assertLength('merged output', out.length, batch * merged * frameSize);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < merged; k++) {
      const first = (b * frames + 2 * k) * frameSize;
      const target = (b * merged + k) * frameSize;
      if (2 * k + 1 < frames) {
        const second = first + frameSize;
        for (let i = 0; i < frameSize; i++) {
          out[target + i] = 0.5 * (tokens[first + i] + tokens[second + i]);
        }
      } else {
        // Odd last frame: the average of a one-frame group is the frame itself.
        out.set(tokens.subarray(first, first + frameSize), target);
      }
    }
  }
  return out;
}

/**
 * Unmerge over time: each merged frame k is copied to frames 2k and 2k+1 (the latter if it exists).
 * @param merged [B, ceil(T/2), S, C] float32.
 * @param out [B, T, S, C] float32 (preallocated, overwritten).
 * @param shape the unmerged shape of `out`.
 */
export function unmergeTemporalPairsInto(out: Float32Array, merged: Float32Array, shape: TokenGridShape): Float32Array {
  const { batch, frames } = shape;
  const frameSize = shape.tokensPerFrame * shape.channels;
  const mergedFrames = mergedFrameCount(frames);
  assertLength('merged tokens', merged.length, batch * mergedFrames * frameSize);
  assertLength('unmerged output', out.length, batch * frames * frameSize);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < frames; t++) {
      const source = (b * mergedFrames + (t >> 1)) * frameSize;
      out.set(merged.subarray(source, source + frameSize), (b * frames + t) * frameSize);
    }
  }
  return out;
}

/** TDTM is used on the first `mergedSteps` steps only: step index i < m (paper §3.4). */
export function isMergedStep(stepIndex: number, mergedSteps: number): boolean {
  return stepIndex < mergedSteps;
}

/** Throws unless m is an integer in [0, K] (0 = never merge, K = merge every step, the paper's ablation). */
export function validateMergedSteps(mergedSteps: number, totalSteps: number): void {
  if (!Number.isInteger(mergedSteps) || mergedSteps < 0 || mergedSteps > totalSteps) {
    throw new RangeError(`TDTM mergedSteps ${mergedSteps} is outside [0, ${totalSteps}] for ${totalSteps} steps`);
  }
}

function assertLength(what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new RangeError(`${what} has ${actual} elements, expected ${expected}`);
  }
}
