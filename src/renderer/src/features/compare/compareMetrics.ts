import type { RgbaFrames } from '../../lib/canvasDraw';

/** How many times faster a run was than the baseline (baseline time ÷ its time); null when either is unknown or 0. */
export function speedUp(baselineMs: number | null | undefined, durationMs: number | null | undefined): number | null {
  if (typeof baselineMs !== 'number' || typeof durationMs !== 'number' || !(baselineMs > 0) || !(durationMs > 0) || !Number.isFinite(baselineMs) || !Number.isFinite(durationMs)) {
    return null;
  }
  return baselineMs / durationMs;
}

/** "1.84×" (or "–" when unknown). */
export function formatSpeedUp(factor: number | null): string {
  return factor === null ? '–' : `${factor.toFixed(2)}×`;
}

/**
 * Mean absolute difference of two clips' colour channels (R, G, B; alpha ignored), over every pixel of every frame,
 * in 0–255 units. Null when the clips differ in size or frame count (no pixel-for-pixel comparison exists).
 */
export function meanAbsolutePixelDifference(a: RgbaFrames, b: RgbaFrames): number | null {
  if (a.width !== b.width || a.height !== b.height || a.frames !== b.frames) {
    return null;
  }
  const bytes = a.width * a.height * 4 * a.frames;
  if (bytes === 0 || a.rgba.length < bytes || b.rgba.length < bytes) {
    return null;
  }
  let sum = 0;
  for (let i = 0; i < bytes; i += 4) {
    sum += Math.abs(a.rgba[i] - b.rgba[i]) + Math.abs(a.rgba[i + 1] - b.rgba[i + 1]) + Math.abs(a.rgba[i + 2] - b.rgba[i + 2]);
  }
  return sum / ((bytes / 4) * 3);
}

/** "3.2 / 255 (1.3 %)". */
export function formatPixelDifference(difference: number | null): string {
  return difference === null ? '–' : `${difference.toFixed(1)} / 255 (${((difference / 255) * 100).toFixed(1)} %)`;
}

/** "0.9731" (or "–" when unknown). */
export function formatSsim(value: number | null): string {
  return value === null ? '–' : value.toFixed(4);
}

/** "31.2 dB", "∞ dB" for identical clips (or "–" when unknown). */
export function formatPsnr(value: number | null): string {
  return value === null ? '–' : value === Infinity ? '∞ dB' : `${value.toFixed(1)} dB`;
}
