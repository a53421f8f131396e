import { roundHalfToEven } from '../sampler';

/** An RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** How an image is fitted to a preset: scaled to cover it, then the overflow cut equally from both sides. */
export interface FillPlan {
  readonly scaledWidth: number;
  readonly scaledHeight: number;
  /** Top-left of the kept window in the scaled image. */
  readonly top: number;
  readonly left: number;
  /** Share of the source's width or height that is cut off (0 when the aspects match). */
  readonly cutFraction: number;
  readonly cutAxis: 'width' | 'height' | null;
}

/**
 * Open-Sora v1.2.0's `resize_crop_to_fill` (opensora/datasets/utils.py), with Python's rounding: scale so the image
 * covers width × height (the axis that needs the larger factor fills exactly), then keep the centred window.
 */
export function planFill(sourceWidth: number, sourceHeight: number, width: number, height: number): FillPlan {
  const rh = height / sourceHeight;
  const rw = width / sourceWidth;
  if (rh > rw) {
    const scaledWidth = roundHalfToEven(sourceWidth * rh);
    return { scaledWidth, scaledHeight: height, top: 0, left: roundHalfToEven((scaledWidth - width) / 2), cutFraction: 1 - width / scaledWidth, cutAxis: scaledWidth > width ? 'width' : null };
  }
  const scaledHeight = roundHalfToEven(sourceHeight * rw);
  return { scaledWidth: width, scaledHeight, top: roundHalfToEven((scaledHeight - height) / 2), left: 0, cutFraction: 1 - height / scaledHeight, cutAxis: scaledHeight > height ? 'height' : null };
}

/** The image scaled (bicubic) and centre-cropped to width × height as planFill says. */
export function resizeCropToFill(image: RgbImage, width: number, height: number): RgbImage {
  const plan = planFill(image.width, image.height, width, height);
  const scaled = resizeBicubic(image, plan.scaledWidth, plan.scaledHeight);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((y + plan.top) * scaled.width + plan.left) * 3;
    rgb.set(scaled.rgb.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, rgb };
}

/**
 * Bicubic resampling as Pillow's `Image.resize(…, BICUBIC)` does it: separable (horizontal pass, then vertical), the
 * a = −0.5 cubic kernel widened by the scale when shrinking (so a reduction averages, not aliases), weights
 * normalized per output pixel, each pass rounded and clamped to 0–255. Pillow computes in fixed point, so values may
 * differ by one level.
 */
export function resizeBicubic(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) {
    return { width, height, rgb: image.rgb.slice() };
  }
  const horizontal = resampleAxis(image.rgb, image.width, image.height, width, 'x');
  return { width, height, rgb: resampleAxis(horizontal, width, image.height, height, 'y') };
}

function cubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) {
    return ((a + 2) * t - (a + 3)) * t * t + 1;
  }
  if (t < 2) {
    return (((t - 5) * t + 8) * t - 4) * a;
  }
  return 0;
}

/** Per output index: the first source index and the normalized weights (Pillow's precompute_coeffs). */
function coefficients(inSize: number, outSize: number): { first: Int32Array; weights: Float64Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const first = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = new Float64Array(hi - lo);
    let sum = 0;
    for (let k = 0; k < w.length; k++) {
      w[k] = cubic((k + lo - center + 0.5) / filterScale);
      sum += w[k];
    }
    for (let k = 0; k < w.length; k++) {
      w[k] = sum === 0 ? 0 : w[k] / sum;
    }
    first[i] = lo;
    weights.push(w);
  }
  return { first, weights };
}

function resampleAxis(rgb: Uint8Array, width: number, height: number, outSize: number, axis: 'x' | 'y'): Uint8Array {
  const inSize = axis === 'x' ? width : height;
  const outWidth = axis === 'x' ? outSize : width;
  const outHeight = axis === 'x' ? height : outSize;
  const out = new Uint8Array(outWidth * outHeight * 3);
  const { first, weights } = coefficients(inSize, outSize);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const i = axis === 'x' ? x : y;
      const w = weights[i];
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) {
          const sx = axis === 'x' ? first[i] + k : x;
          const sy = axis === 'x' ? y : first[i] + k;
          acc += w[k] * rgb[(sy * width + sx) * 3 + c];
        }
        out[(y * outWidth + x) * 3 + c] = Math.min(255, Math.max(0, Math.round(acc)));
      }
    }
  }
  return out;
}
