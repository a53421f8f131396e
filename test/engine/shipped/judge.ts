import { COLOUR_NAMES, COLOURS, STILL, type ColourName, type Combo, type MotionName, type ShapeName } from './shapesWorld';

/**
 * The automatic judge of the shapes world in TypeScript: colour segmentation and a centroid track give the
 * background colour, the object's colour, its shape and its motion. Same rules and thresholds as the Python
 * judge that training evaluation uses (models/tools/scorer.py, fed bytes by judge_frames.py); the two are
 * checked to agree clip by clip in test/model/judgeAgreement.test.ts.
 *
 * Rules (models/README.md, "Judge"): background = palette colour nearest the median border pixel; object
 * pixels lie more than 0.3 (RGB distance, [0, 1] units) from that median; object colour = palette colour,
 * other than the background, nearest their median; shape = median bounding-box fill ratio on the larger half
 * of the frames (≥ 0.88 square, ≥ 0.64 circle, else triangle); motion = area growth > 2.2× → growing, ≥ 2
 * vertical reversals of the centroid by more than 2.5 px → bouncing, else the larger centroid displacement
 * between the first and last fifth (< 3 px → still).
 *
 * Pixel values, distances and medians are computed in float32 (Math.fround) and sums in numpy's pairwise
 * order, as numpy computes them, so that a value on a threshold's edge falls on the same side in both judges.
 */

/** RGBA frames, row-major, 4 bytes per pixel: the engine's clip frames. */
export interface RgbaFrames {
  width: number;
  height: number;
  frames: readonly (Uint8Array | Uint8ClampedArray)[];
}

/** What the judge sees; null where it sees no object (then no shape or motion either), or no shape. */
export interface Verdict {
  background: ColourName;
  object: ColourName | null;
  shape: ShapeName | null;
  motion: MotionName | typeof STILL | null;
}

export const JUDGED_ATTRIBUTES = ['background', 'object', 'shape', 'motion'] as const;
export type JudgedAttribute = (typeof JUDGED_ATTRIBUTES)[number];
/** Share of clips judged right per attribute; bar = mean of background, object and motion (the quality bar). */
export type Accuracy = Record<JudgedAttribute | 'bar', number>;

const f32 = Math.fround;
const OBJECT_DISTANCE = f32(0.3);
/** A frame shows the object when more than this many pixels are object pixels. */
const MIN_OBJECT_PX = 2;
/** Frames with fewer object pixels than this do not vote on the shape. */
const MIN_SHAPE_PX = 6;
const SQUARE_FILL = 0.88;
const CIRCLE_FILL = 0.64;
const GROWTH_RATIO = 2.2;
const BOUNCE_PROMINENCE_PX = 2.5;
const BOUNCE_TURNS = 2;
const BOUNCE_MIN_TRACK = 5;
const STILL_PX = 3;

const PALETTE = COLOUR_NAMES.map((name) => ({ name, rgb: COLOURS[name].map(f32) }));
/** Byte → [0, 1] the way judge_frames.py and scorer.py compute it in float32: ((b / 127.5 − 1) + 1) / 2. */
const UNIT_OF_BYTE = Float32Array.from({ length: 256 }, (_, b) => f32(f32(f32(f32(b / 127.5) - 1) + 1) / 2));

/** numpy's sum of a contiguous float64 run: a plain loop below 8 values, else 8 partial sums, halves above 128. */
function pairwiseSum(values: readonly number[], start = 0, end = values.length): number {
  const n = end - start;
  if (n < 8) {
    let sum = 0;
    for (let i = start; i < end; i++) {
      sum += values[i];
    }
    return sum;
  }
  if (n <= 128) {
    const partial = values.slice(start, start + 8);
    let i = start + 8;
    for (; i < end - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) {
        partial[j] += values[i + j];
      }
    }
    let sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; i < end; i++) {
      sum += values[i];
    }
    return sum;
  }
  const half = Math.floor(n / 2) - (Math.floor(n / 2) % 8);
  return pairwiseSum(values, start, start + half) + pairwiseSum(values, start + half, end);
}

/** numpy's nanmean: NaNs count as 0 in the sum and not in the count; NaN when every value is NaN. */
function nanMean(values: readonly number[]): number {
  const count = values.filter((v) => !Number.isNaN(v)).length;
  return count === 0 ? NaN : pairwiseSum(values.map((v) => (Number.isNaN(v) ? 0 : v))) / count;
}

/** numpy's median of float32 values: the middle value, or the float32 mean of the middle two. Sorts in place. */
function medianF32(values: Float32Array): number {
  values.sort();
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid] : f32(f32(values[mid - 1] + values[mid]) / 2);
}

function medianF64(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Euclidean RGB distance in float32, the order numpy's norm adds the channels in. */
function distanceF32(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    const d = f32(a[c] - b[c]);
    sum = f32(sum + f32(d * d));
  }
  return f32(Math.sqrt(sum));
}

function nearestColour(rgb: readonly number[], exclude?: ColourName): ColourName {
  let best = PALETTE[0].name;
  let bestDistance = Infinity;
  for (const { name, rgb: paletteRgb } of PALETTE) {
    const distance = name === exclude ? Infinity : distanceF32(paletteRgb, rgb);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

function checkFrames(clip: RgbaFrames): void {
  const { width, height, frames } = clip;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`judge: frame size must be positive whole pixels, got ${width}×${height}`);
  }
  if (frames.length < 2) {
    throw new Error(`judge: a clip needs at least 2 frames to have a motion, got ${frames.length}`);
  }
  frames.forEach((frame, index) => {
    if (frame.length !== width * height * 4) {
      throw new Error(`judge: frame ${index} holds ${frame.length} bytes, expected ${width}×${height}×4 = ${width * height * 4} (RGBA)`);
    }
  });
}

/** The median border pixel of every frame (rows 0 and H−1, columns 0 and W−1; corners count twice, as in scorer.py). */
function borderMedian({ width, height, frames }: RgbaFrames): number[] {
  const channels = [0, 1, 2].map(() => new Float32Array(frames.length * 2 * (width + height)));
  let n = 0;
  const take = (frame: ArrayLike<number>, x: number, y: number): void => {
    const offset = (y * width + x) * 4;
    for (let c = 0; c < 3; c++) {
      channels[c][n] = UNIT_OF_BYTE[frame[offset + c]];
    }
    n++;
  };
  for (const frame of frames) {
    for (let x = 0; x < width; x++) {
      take(frame, x, 0);
    }
    for (let x = 0; x < width; x++) {
      take(frame, x, height - 1);
    }
    for (let y = 0; y < height; y++) {
      take(frame, 0, y);
    }
    for (let y = 0; y < height; y++) {
      take(frame, width - 1, y);
    }
  }
  return channels.map(medianF32);
}

/** Object pixels (1) of every frame, [frame][y·W + x], and the object's RGB median over all of them. */
function segment({ width, height, frames }: RgbaFrames, background: readonly number[]): { masks: Uint8Array[]; areas: number[]; objectRgb: number[] | null } {
  const plane = width * height;
  const masks = frames.map(() => new Uint8Array(plane));
  const picked: number[][] = [[], [], []];
  frames.forEach((frame, f) => {
    for (let p = 0; p < plane; p++) {
      const rgb = [UNIT_OF_BYTE[frame[p * 4]], UNIT_OF_BYTE[frame[p * 4 + 1]], UNIT_OF_BYTE[frame[p * 4 + 2]]];
      if (distanceF32(rgb, background) > OBJECT_DISTANCE) {
        masks[f][p] = 1;
        rgb.forEach((value, c) => picked[c].push(value));
      }
    }
  });
  const areas = masks.map((mask) => mask.reduce((sum, v) => sum + v, 0));
  const objectRgb = picked[0].length > 0 ? picked.map((values) => medianF32(Float32Array.from(values))) : null;
  return { masks, areas, objectRgb };
}

/** Fill ratio of the bounding box on the larger half of the frames (ties: the later frame first). */
function judgeShape(masks: readonly Uint8Array[], areas: readonly number[], width: number): ShapeName | null {
  const largest = areas.map((_, i) => i).sort((i, j) => areas[j] - areas[i] || j - i).slice(0, Math.max(1, Math.floor(areas.length / 2)));
  const ratios: number[] = [];
  for (const f of largest) {
    if (areas[f] < MIN_SHAPE_PX) {
      continue;
    }
    let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
    masks[f].forEach((inside, p) => {
      if (inside) {
        const x = p % width;
        const y = (p - x) / width;
        [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
      }
    });
    ratios.push(areas[f] / ((maxX - minX + 1) * (maxY - minY + 1)));
  }
  if (ratios.length === 0) {
    return null;
  }
  const fill = medianF64(ratios);
  return fill >= SQUARE_FILL ? 'square' : fill >= CIRCLE_FILL ? 'circle' : 'triangle';
}

/** Reversals of a track whose swing between reversals exceeds `prominencePx`. */
function countTurns(track: readonly number[], prominencePx: number): number {
  let turns = 0;
  let direction = 0;
  let anchor = track[0];
  for (const value of track.slice(1)) {
    const delta = value - anchor;
    if (direction >= 0 && delta < -prominencePx) {
      turns += direction === 1 ? 1 : 0;
      [direction, anchor] = [-1, value];
    } else if (direction <= 0 && delta > prominencePx) {
      turns += direction === -1 ? 1 : 0;
      [direction, anchor] = [1, value];
    } else if ((direction === 1 && value > anchor) || (direction === -1 && value < anchor)) {
      anchor = value;
    }
  }
  return turns;
}

function judgeMotion(centreX: readonly number[], centreY: readonly number[], areas: readonly number[]): MotionName | typeof STILL {
  const n = areas.length;
  const k = Math.max(2, Math.floor(n / 5));
  const head = (values: readonly number[]): number[] => values.slice(0, k);
  const tail = (values: readonly number[]): number[] => values.slice(n - k);
  // scorer.py averages the areas in float32 and compares in float64.
  const areaFirst = f32(pairwiseSum(head(areas)) / k);
  const areaLast = f32(pairwiseSum(tail(areas)) / k);
  if (areaLast > GROWTH_RATIO * Math.max(areaFirst, 1)) {
    return 'growing';
  }
  const track = centreY.filter((y) => !Number.isNaN(y));
  if (track.length >= BOUNCE_MIN_TRACK && countTurns(track, BOUNCE_PROMINENCE_PX) >= BOUNCE_TURNS) {
    return 'bouncing';
  }
  const dx = nanMean(tail(centreX)) - nanMean(head(centreX));
  const dy = nanMean(tail(centreY)) - nanMean(head(centreY));
  if (Number.isNaN(dx) || Math.max(Math.abs(dx), Math.abs(dy)) < STILL_PX) {
    return STILL;
  }
  if (Math.abs(dx) >= Math.abs(dy)) {
    return dx > 0 ? 'right' : 'left';
  }
  return dy > 0 ? 'down' : 'up';
}

/** Judges one clip of RGBA frames; throws a clear error on frames of the wrong size or a clip of < 2 frames. */
export function judgeClip(clip: RgbaFrames): Verdict {
  checkFrames(clip);
  const backgroundRgb = borderMedian(clip);
  const background = nearestColour(backgroundRgb);
  const { masks, areas, objectRgb } = segment(clip, backgroundRgb);
  const seen = areas.filter((area) => area > MIN_OBJECT_PX).length;
  if (seen < Math.floor(clip.frames.length / 2) || objectRgb === null) {
    return { background, object: null, shape: null, motion: null };
  }
  const centre = (axis: 'x' | 'y'): number[] => masks.map((mask, f) => {
    if (areas[f] <= MIN_OBJECT_PX) {
      return NaN;
    }
    let sum = 0;
    mask.forEach((inside, p) => {
      if (inside) {
        sum += axis === 'x' ? p % clip.width : Math.floor(p / clip.width);
      }
    });
    return sum / areas[f];
  });
  return {
    background,
    object: nearestColour(objectRgb, background),
    shape: judgeShape(masks, areas, clip.width),
    motion: judgeMotion(centre('x'), centre('y'), areas),
  };
}

/** Judges clips against what their prompts asked for → per-attribute accuracy and each clip's verdict. */
export function scoreClips(clips: readonly { clip: RgbaFrames; combo: Combo }[]): { accuracy: Accuracy; verdicts: Verdict[] } {
  if (clips.length === 0) {
    throw new Error('judge: no clips to score');
  }
  const hits: Record<JudgedAttribute, number> = { background: 0, object: 0, shape: 0, motion: 0 };
  const verdicts = clips.map(({ clip, combo }) => {
    const verdict = judgeClip(clip);
    for (const attribute of JUDGED_ATTRIBUTES) {
      hits[attribute] += verdict[attribute] === combo[attribute] ? 1 : 0;
    }
    return verdict;
  });
  const n = clips.length;
  return {
    accuracy: {
      background: hits.background / n,
      object: hits.object / n,
      shape: hits.shape / n,
      motion: hits.motion / n,
      bar: (hits.background + hits.object + hits.motion) / (3 * n),
    },
    verdicts,
  };
}
