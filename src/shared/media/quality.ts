/**
 * Full-reference quality of one clip against another, on decoded RGBA frames (alpha ignored):
 * - PSNR in dB from the mean squared error of the R, G, B values, averaged over frames; Infinity when identical.
 * - SSIM (Wang, Bovik, Sheikh & Simoncelli, "Image quality assessment: from error visibility to structural
 *   similarity", IEEE TIP 2004) on luma (BT.601 weights), with the paper's 11×11 Gaussian window (σ = 1.5),
 *   K1 = 0.01, K2 = 0.03, L = 255, the mean over every window that fits in the frame, then the mean over frames.
 *   Frames smaller than 11 px use the largest odd window that fits, σ scaled with it.
 */
export interface QualityFrames {
  width: number;
  height: number;
  frames: number;
  rgba: Uint8Array | Uint8ClampedArray;
}

const PEAK = 255;
const C1 = (0.01 * PEAK) ** 2;
const C2 = (0.03 * PEAK) ** 2;

function sameShape(a: QualityFrames, b: QualityFrames): boolean {
  const bytes = a.width * a.height * 4 * a.frames;
  return a.width === b.width && a.height === b.height && a.frames === b.frames && bytes > 0 && a.rgba.length >= bytes && b.rgba.length >= bytes;
}

/** PSNR of `b` against `a` in dB (Infinity when the clips are identical); null when their shapes differ. */
export function psnr(a: QualityFrames, b: QualityFrames): number | null {
  if (!sameShape(a, b)) {
    return null;
  }
  const frameBytes = a.width * a.height * 4;
  let squaredSum = 0;
  for (let frame = 0; frame < a.frames; frame++) {
    for (let i = frame * frameBytes; i < (frame + 1) * frameBytes; i += 4) {
      for (let channel = 0; channel < 3; channel++) {
        const d = a.rgba[i + channel] - b.rgba[i + channel];
        squaredSum += d * d;
      }
    }
  }
  // The mean over frames of each frame's MSE (every frame has the same pixel count) is the MSE over all values.
  const mse = squaredSum / (a.frames * a.width * a.height * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((PEAK * PEAK) / mse);
}

function luma(clip: QualityFrames, frame: number): Float64Array {
  const pixels = clip.width * clip.height;
  const out = new Float64Array(pixels);
  const base = frame * pixels * 4;
  for (let p = 0; p < pixels; p++) {
    const i = base + p * 4;
    out[p] = 0.299 * clip.rgba[i] + 0.587 * clip.rgba[i + 1] + 0.114 * clip.rgba[i + 2];
  }
  return out;
}

/** Normalized 1-D Gaussian taps (the 2-D window is their outer product, so filtering is separable). */
function gaussianTaps(size: number, sigma: number): Float64Array {
  const taps = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    taps[i] = Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma));
    sum += taps[i];
  }
  return taps.map((tap) => tap / sum);
}

/** Weighted means of `values` over every window position that fits ("valid" filtering), rows then columns. */
function filterValid(values: Float64Array, width: number, height: number, taps: Float64Array): Float64Array {
  const size = taps.length;
  const outWidth = width - size + 1;
  const outHeight = height - size + 1;
  const rows = new Float64Array(outWidth * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < size; k++) {
        sum += taps[k] * values[y * width + x + k];
      }
      rows[y * outWidth + x] = sum;
    }
  }
  const out = new Float64Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < size; k++) {
        sum += taps[k] * rows[(y + k) * outWidth + x];
      }
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}

function frameSsim(x: Float64Array, y: Float64Array, width: number, height: number, taps: Float64Array): number {
  const xx = x.map((value) => value * value);
  const yy = y.map((value) => value * value);
  const xy = x.map((value, i) => value * y[i]);
  const [mx, my, exx, eyy, exy] = [x, y, xx, yy, xy].map((values) => filterValid(values, width, height, taps));
  let sum = 0;
  for (let i = 0; i < mx.length; i++) {
    const varX = exx[i] - mx[i] * mx[i];
    const varY = eyy[i] - my[i] * my[i];
    const cov = exy[i] - mx[i] * my[i];
    sum += ((2 * mx[i] * my[i] + C1) * (2 * cov + C2)) / ((mx[i] * mx[i] + my[i] * my[i] + C1) * (varX + varY + C2));
  }
  return sum / mx.length;
}

/** Mean SSIM of `b` against `a` (1 for identical clips); null when their shapes differ. */
export function ssim(a: QualityFrames, b: QualityFrames): number | null {
  if (!sameShape(a, b)) {
    return null;
  }
  const fits = Math.min(11, a.width, a.height);
  const size = fits % 2 === 1 ? fits : fits - 1;
  const taps = gaussianTaps(size, (1.5 * size) / 11);
  let sum = 0;
  for (let frame = 0; frame < a.frames; frame++) {
    sum += frameSsim(luma(a, frame), luma(b, frame), a.width, a.height, taps);
  }
  return sum / a.frames;
}

/**
 * One frame of the difference view: per pixel |a − b| (mean of R, G, B) as a heat colour, black for none through
 * red and yellow to white for 255, scaled by `gain` so small differences show. Returns RGBA, width·height·4 bytes.
 */
export function differenceHeatMap(a: QualityFrames, b: QualityFrames, frame: number, gain = 4): Uint8ClampedArray | null {
  if (!sameShape(a, b)) {
    return null;
  }
  const pixels = a.width * a.height;
  const base = Math.min(Math.max(0, frame), a.frames - 1) * pixels * 4;
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const i = base + p * 4;
    const difference = (Math.abs(a.rgba[i] - b.rgba[i]) + Math.abs(a.rgba[i + 1] - b.rgba[i + 1]) + Math.abs(a.rgba[i + 2] - b.rgba[i + 2])) / 3;
    const t = Math.min(1, (difference * gain) / PEAK);
    out[p * 4] = Math.round(Math.min(1, t * 3) * 255);
    out[p * 4 + 1] = Math.round(Math.min(1, Math.max(0, t * 3 - 1)) * 255);
    out[p * 4 + 2] = Math.round(Math.min(1, Math.max(0, t * 3 - 2)) * 255);
    out[p * 4 + 3] = 255;
  }
  return out;
}
