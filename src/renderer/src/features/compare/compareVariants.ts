import { GENERATION_LIMITS, type StudioGenerateRequest } from '@shared/domain/generation';
import { DYNAMIC_LPL_DEFAULTS } from '@shared/domain/lpl';

export const MAX_VARIANTS = 6;

/** How a variant leaps: never, after a fixed number of steps, or by the dynamic rule from a minimum step. */
export type VariantLpl = { kind: 'off' } | { kind: 'fixed'; leapStep: number } | { kind: 'dynamic'; minimumStep: number };

/** One column of a comparison: the composer's settings with these steps and this LPL setting. */
export interface CompareVariant {
  /** Stable key for lists (not sent anywhere). */
  key: string;
  steps: number;
  lpl: VariantLpl;
}

let keyCounter = 0;
export function newVariantKey(): string {
  keyCounter += 1;
  return `v${Date.now().toString(36)}-${keyCounter}`;
}

/**
 * The default comparison for a step count: no LPL, a leap halfway, a leap a third of the way, and dynamic LPL
 * (at 30 steps: off, leap after 15, leap after 10, dynamic). Leaps that cannot run at this step count are left out,
 * and two leaps at the same step are kept once.
 */
export function defaultVariants(steps: number, makeKey: () => string = newVariantKey): CompareVariant[] {
  const total = Number.isInteger(steps) && steps >= GENERATION_LIMITS.stepsMin ? Math.min(steps, GENERATION_LIMITS.stepsMax) : 30;
  const variants: CompareVariant[] = [{ key: makeKey(), steps: total, lpl: { kind: 'off' } }];
  const leaps = [Math.round(total / 2), Math.round(total / 3)];
  for (const leapStep of leaps) {
    const seen = variants.some((variant) => variant.lpl.kind === 'fixed' && variant.lpl.leapStep === leapStep);
    if (leapStep >= 1 && leapStep < total && !seen) {
      variants.push({ key: makeKey(), steps: total, lpl: { kind: 'fixed', leapStep } });
    }
  }
  const minimumStep = total > DYNAMIC_LPL_DEFAULTS.minimumStep ? DYNAMIC_LPL_DEFAULTS.minimumStep : Math.floor(total / 2);
  if (minimumStep >= 1 && minimumStep < total) {
    variants.push({ key: makeKey(), steps: total, lpl: { kind: 'dynamic', minimumStep } });
  }
  return variants;
}

/** A variant switched to another LPL kind, with a leap or minimum step that fits its step count. */
export function withLplKind(variant: CompareVariant, kind: VariantLpl['kind']): CompareVariant {
  const steps = Number.isInteger(variant.steps) && variant.steps > 1 ? variant.steps : 2;
  switch (kind) {
    case 'off':
      return { ...variant, lpl: { kind: 'off' } };
    case 'fixed':
      return { ...variant, lpl: { kind: 'fixed', leapStep: Math.max(1, Math.round(steps / 2)) } };
    case 'dynamic':
      return { ...variant, lpl: { kind: 'dynamic', minimumStep: steps > DYNAMIC_LPL_DEFAULTS.minimumStep ? DYNAMIC_LPL_DEFAULTS.minimumStep : Math.max(1, Math.floor(steps / 2)) } };
  }
}

function isWhole(value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Why the backend would refuse this variant (checked before anything is queued), or null. */
export function variantProblem(variant: CompareVariant, tdtmMergedSteps = 0): string | null {
  const { steps, lpl } = variant;
  if (!isWhole(steps, GENERATION_LIMITS.stepsMin, GENERATION_LIMITS.stepsMax)) {
    return `Steps must be a whole number from ${GENERATION_LIMITS.stepsMin} to ${GENERATION_LIMITS.stepsMax}.`;
  }
  if (lpl.kind === 'fixed' && !isWhole(lpl.leapStep, 1, steps - 1)) {
    return steps > 1 ? `Leap after 1 … ${steps - 1} steps (a leap after n steps runs n + 1 model calls).` : 'A leap needs at least 2 steps.';
  }
  if (lpl.kind === 'dynamic' && !isWhole(lpl.minimumStep, 1, steps - 1)) {
    return steps > 1 ? `The minimum step must be 1 … ${steps - 1}.` : 'Dynamic LPL needs at least 2 steps.';
  }
  if (tdtmMergedSteps > steps) {
    return `The composer merges ${tdtmMergedSteps} steps (TDTM): give at least that many steps.`;
  }
  return null;
}

/** Short name of a variant, e.g. "No LPL · 30 steps", "Leap after 15 · 30 steps", "Dynamic LPL from 14 · 30 steps". */
export function variantLabel(variant: CompareVariant): string {
  const steps = `${variant.steps} steps`;
  switch (variant.lpl.kind) {
    case 'off':
      return `No LPL · ${steps}`;
    case 'fixed':
      return `Leap after ${variant.lpl.leapStep} · ${steps}`;
    case 'dynamic':
      return `Dynamic LPL from ${variant.lpl.minimumStep} · ${steps}`;
  }
}

function toLplSetting(lpl: VariantLpl): NonNullable<StudioGenerateRequest['lpl']> {
  switch (lpl.kind) {
    case 'off':
      return { kind: 'off' };
    case 'fixed':
      return { kind: 'fixed', leapStep: lpl.leapStep };
    case 'dynamic':
      // The backend's tolerance, patience and comparison; only the minimum step is chosen here.
      return { kind: 'dynamic', minimumStep: lpl.minimumStep };
  }
}

/** The request for one variant: the composer's request with the seed locked and this variant's steps and LPL. */
export function variantRequest(base: StudioGenerateRequest, seed: number, variant: CompareVariant): StudioGenerateRequest {
  return { ...base, seed, steps: variant.steps, lpl: toLplSetting(variant.lpl) };
}

/** Variants kept from an earlier session, if they still read as variants; otherwise null. */
export function restoreVariants(stored: unknown, makeKey: () => string = newVariantKey): CompareVariant[] | null {
  if (!Array.isArray(stored) || stored.length === 0 || stored.length > MAX_VARIANTS) {
    return null;
  }
  const variants: CompareVariant[] = [];
  for (const item of stored as unknown[]) {
    if (typeof item !== 'object' || item === null) {
      return null;
    }
    const { steps, lpl } = item as { steps?: unknown; lpl?: unknown };
    if (typeof steps !== 'number' || typeof lpl !== 'object' || lpl === null) {
      return null;
    }
    const { kind, leapStep, minimumStep } = lpl as { kind?: unknown; leapStep?: unknown; minimumStep?: unknown };
    if (kind === 'off') {
      variants.push({ key: makeKey(), steps, lpl: { kind } });
    } else if (kind === 'fixed' && typeof leapStep === 'number') {
      variants.push({ key: makeKey(), steps, lpl: { kind, leapStep } });
    } else if (kind === 'dynamic' && typeof minimumStep === 'number') {
      variants.push({ key: makeKey(), steps, lpl: { kind, minimumStep } });
    } else {
      return null;
    }
  }
  return variants;
}
