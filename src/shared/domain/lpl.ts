/**
 * LPL rules that the engine, the composer, the comparison grid and the CLI share (docs/techniques.md §LPL).
 */

/**
 * Dynamic LPL's parameters when a request leaves them out: the On-device Sora reference rule (score from step 14,
 * an improvement must beat the best cosine by more than 1e-3, leap after 3 steps without one), scored on the whole
 * latent (arXiv 2502.04363 §4, Fig. 5, compares whole consecutive velocities; docs/techniques.md §Decisions, D2).
 */
export const DYNAMIC_LPL_DEFAULTS = {
  minimumStep: 14,
  tolerance: 1e-3,
  patience: 3,
  compare: 'full-latent',
} as const;

/** Only what decides the number of model calls. */
export type LplCallsSetting = { readonly kind: 'off' } | { readonly kind: 'fixed'; readonly leapStep: number } | { readonly kind: 'dynamic' };

/**
 * Model calls known before a run: K without LPL, n + 1 for a leap at 0-based step n (n regular steps, then the
 * leap's own evaluation); null for dynamic LPL, whose leap step depends on the velocities the run produces (at most
 * K calls).
 */
export function plannedModelCalls(lpl: LplCallsSetting, steps: number): number | null {
  switch (lpl.kind) {
    case 'off':
      return steps;
    case 'fixed':
      return lpl.leapStep + 1;
    case 'dynamic':
      return null;
  }
}
