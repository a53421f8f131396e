/**
 * Temporal Dimension Token Merging, the engine's side (arXiv 2502.04363 §5; docs/techniques.md §TDTM).
 *
 * The merge itself (frames grouped (0,1), (2,3), …, an odd last frame on its own, each group averaged before
 * attention and copied back after it) happens inside the exported `*.tdtm.onnx` block graphs; its parity with an
 * independent PyTorch formulation is checked by the model-tools suite. The engine only decides which steps use the
 * merged graphs and feeds them position tables for ceil(T/2) frames.
 */

/** Frames after merging: ceil(T/2). */
export function mergedFrameCount(frames: number): number {
  return Math.ceil(frames / 2);
}

/** TDTM is used on the first `mergedSteps` steps only: step index i < m. */
export function isMergedStep(stepIndex: number, mergedSteps: number): boolean {
  return stepIndex < mergedSteps;
}

/** Throws unless m is an integer in [0, K] (0 = never merge, K = merge every step, the paper's ablation). */
export function validateMergedSteps(mergedSteps: number, totalSteps: number): void {
  if (!Number.isInteger(mergedSteps) || mergedSteps < 0 || mergedSteps > totalSteps) {
    throw new RangeError(`TDTM mergedSteps ${mergedSteps} is outside [0, ${totalSteps}] for ${totalSteps} steps`);
  }
}
