import { describe, expect, it } from 'vitest';
import { judgeClip, scoreClips, type RgbaFrames, type Verdict } from './judge';
import { COLOURS, type ColourName, type ShapeName } from './shapesWorld';

/**
 * The TypeScript judge on clips drawn here with hard edges, whose right verdict is not in doubt. Its agreement
 * with the Python judge on many more clips is test/model/judgeAgreement.test.ts (model-tools suite).
 */
const SIZE_PX = 32;
const FRAMES = 16;

interface Placement { x: number; y: number; r: number }
interface Drawing {
  background: ColourName;
  object: ColourName;
  shape: ShapeName;
  /** Centre and half-size in pixels at time t ∈ [0, 1]; null = not drawn in that frame. */
  at: (t: number) => Placement | null;
  frames?: number;
}

const bytes = (name: ColourName): number[] => COLOURS[name].map((v) => Math.round(v * 255));

function inside(shape: ShapeName, dx: number, dy: number, r: number): boolean {
  if (shape === 'circle') {
    return dx * dx + dy * dy <= r * r;
  }
  if (shape === 'square') {
    return Math.abs(dx) <= r && Math.abs(dy) <= r;
  }
  const depth = (dy + r) / (2 * r); // upright triangle: apex at the top of the box, base at its bottom
  return depth >= 0 && depth <= 1 && Math.abs(dx) <= r * depth;
}

function draw({ background, object, shape, at, frames = FRAMES }: Drawing): RgbaFrames {
  const [bg, fg] = [bytes(background), bytes(object)];
  return {
    width: SIZE_PX,
    height: SIZE_PX,
    frames: Array.from({ length: frames }, (_, f) => {
      const placement = at(f / (frames - 1));
      const rgba = new Uint8Array(SIZE_PX * SIZE_PX * 4);
      for (let p = 0; p < SIZE_PX * SIZE_PX; p++) {
        const [x, y] = [(p % SIZE_PX) + 0.5, Math.floor(p / SIZE_PX) + 0.5];
        const colour = placement && inside(shape, x - placement.x, y - placement.y, placement.r) ? fg : bg;
        rgba.set([...colour, 255], p * 4);
      }
      return rgba;
    }),
  };
}

const across = (from: number, to: number, t: number): number => from + (to - from) * t;

describe('the TypeScript judge on hand-drawn clips', () => {
  const cases: { name: string; drawing: Drawing; verdict: Verdict }[] = [
    {
      name: 'a red square moving right on blue',
      drawing: { background: 'blue', object: 'red', shape: 'square', at: (t) => ({ x: across(8, 24, t), y: 16, r: 5 }) },
      verdict: { background: 'blue', object: 'red', shape: 'square', motion: 'right' },
    },
    {
      name: 'a green circle moving up on black',
      drawing: { background: 'black', object: 'green', shape: 'circle', at: (t) => ({ x: 16, y: across(24, 8, t), r: 6 }) },
      verdict: { background: 'black', object: 'green', shape: 'circle', motion: 'up' },
    },
    {
      name: 'a yellow triangle moving left on gray',
      drawing: { background: 'gray', object: 'yellow', shape: 'triangle', at: (t) => ({ x: across(24, 8, t), y: 15, r: 6 }) },
      verdict: { background: 'gray', object: 'yellow', shape: 'triangle', motion: 'left' },
    },
    {
      name: 'a black triangle moving down on white',
      drawing: { background: 'white', object: 'black', shape: 'triangle', at: (t) => ({ x: 17, y: across(8, 24, t), r: 6 }) },
      verdict: { background: 'white', object: 'black', shape: 'triangle', motion: 'down' },
    },
    {
      name: 'a white square growing on red',
      drawing: { background: 'red', object: 'white', shape: 'square', at: (t) => ({ x: 16, y: 16, r: across(2, 10, t) }) },
      verdict: { background: 'red', object: 'white', shape: 'square', motion: 'growing' },
    },
    {
      name: 'a blue circle bouncing twice on yellow',
      drawing: { background: 'yellow', object: 'blue', shape: 'circle', at: (t) => ({ x: 16, y: 25 - 12 * Math.abs(Math.sin(2 * Math.PI * t)), r: 5 }) },
      verdict: { background: 'yellow', object: 'blue', shape: 'circle', motion: 'bouncing' },
    },
    {
      name: 'a gray square that does not move',
      drawing: { background: 'green', object: 'gray', shape: 'square', at: () => ({ x: 16, y: 16, r: 5 }) },
      verdict: { background: 'green', object: 'gray', shape: 'square', motion: 'still' },
    },
    {
      name: 'no object at all',
      drawing: { background: 'white', object: 'red', shape: 'circle', at: () => null },
      verdict: { background: 'white', object: null, shape: null, motion: null },
    },
    {
      name: 'an object of 4 pixels: seen and moving, too small for a shape',
      drawing: { background: 'black', object: 'yellow', shape: 'square', at: (t) => ({ x: across(8, 24, t), y: 16, r: 1 }) },
      verdict: { background: 'black', object: 'yellow', shape: null, motion: 'right' },
    },
    {
      name: 'an object in 7 of 16 frames: fewer than half, not seen',
      drawing: { background: 'blue', object: 'white', shape: 'square', at: (t) => (t < 7 / 15 ? { x: 16, y: 16, r: 5 } : null) },
      verdict: { background: 'blue', object: null, shape: null, motion: null },
    },
    {
      name: 'an object in 8 of 16 frames: half, seen',
      drawing: { background: 'blue', object: 'white', shape: 'square', at: (t) => (t < 8 / 15 ? { x: 16, y: 16, r: 5 } : null) },
      verdict: { background: 'blue', object: 'white', shape: 'square', motion: 'still' },
    },
  ];

  for (const { name, drawing, verdict } of cases) {
    it(name, () => {
      expect(judgeClip(draw(drawing))).toEqual(verdict);
    });
  }

  it('gives the same verdict when every byte is off by up to 12', () => {
    const clip = draw(cases[0].drawing);
    let state = 12345;
    const noisy = clip.frames.map((frame) => frame.map((value) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return Math.min(255, Math.max(0, value + (state % 25) - 12));
    }));
    expect(noisy.some((frame, f) => frame.some((value, i) => value !== clip.frames[f][i]))).toBe(true);
    expect(judgeClip({ ...clip, frames: noisy })).toEqual(cases[0].verdict);
  });

  it('scores verdicts against prompts per attribute; the bar is background, object and motion', () => {
    const right = draw(cases[0].drawing);
    const { accuracy, verdicts } = scoreClips([
      { clip: right, combo: { object: 'red', shape: 'square', motion: 'right', background: 'blue' } },
      { clip: right, combo: { object: 'red', shape: 'circle', motion: 'left', background: 'blue' } },
    ]);
    expect(verdicts).toEqual([cases[0].verdict, cases[0].verdict]);
    expect(accuracy).toEqual({ background: 1, object: 1, shape: 0.5, motion: 0.5, bar: 5 / 6 });
  });

  it('refuses clips it cannot judge, saying why', () => {
    const clip = draw(cases[0].drawing);
    expect(() => judgeClip({ ...clip, frames: clip.frames.slice(0, 1) })).toThrow(/at least 2 frames/);
    expect(() => judgeClip({ ...clip, frames: [clip.frames[0], clip.frames[1].subarray(4)] })).toThrow(/frame 1 holds 4092 bytes, expected 32×32×4/);
    expect(() => judgeClip({ ...clip, width: 0 })).toThrow(/positive whole pixels/);
    expect(() => scoreClips([])).toThrow(/no clips/);
  });
});
