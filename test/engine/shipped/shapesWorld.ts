/**
 * The vocabulary of the shipped model's world ("one coloured shape moving on a plain background"), as
 * models/tools/data.py defines it: palette colours (RGB in [0, 1]), shapes and motions. The judge in
 * judge.ts names clips with these words; test/model/judgeAgreement.test.ts checks they equal data.py's.
 */
export const COLOURS = {
  red: [0.9, 0.1, 0.1],
  green: [0.1, 0.8, 0.1],
  blue: [0.15, 0.25, 0.95],
  yellow: [0.95, 0.9, 0.1],
  white: [0.97, 0.97, 0.97],
  black: [0.03, 0.03, 0.03],
  gray: [0.5, 0.5, 0.5],
} as const satisfies Record<string, readonly [number, number, number]>;
export const SHAPES = ['circle', 'square', 'triangle'] as const;
export const MOTIONS = ['left', 'right', 'up', 'down', 'bouncing', 'growing'] as const;
/** The judge's word for an object that does not move far enough to have a direction; never a prompt's motion. */
export const STILL = 'still';

export type ColourName = keyof typeof COLOURS;
export type ShapeName = (typeof SHAPES)[number];
export type MotionName = (typeof MOTIONS)[number];
export const COLOUR_NAMES = Object.keys(COLOURS) as ColourName[];

/** What a prompt asks for. data.py writes it as the tuple (object colour, shape, motion, background). */
export interface Combo {
  object: ColourName;
  shape: ShapeName;
  motion: MotionName;
  background: ColourName;
}

function oneOf<T extends string>(words: readonly T[], value: unknown, what: string): T {
  if (typeof value !== 'string' || !(words as readonly string[]).includes(value)) {
    throw new Error(`unknown ${what} ${JSON.stringify(value)} (known: ${words.join(', ')})`);
  }
  return value as T;
}

/** data.py's tuple [object colour, shape, motion, background] → Combo; unknown words are an error that names them. */
export function comboFromTuple(tuple: unknown): Combo {
  if (!Array.isArray(tuple) || tuple.length !== 4) {
    throw new Error(`a combo is [object colour, shape, motion, background], got ${JSON.stringify(tuple)}`);
  }
  const [object, shape, motion, background] = tuple as unknown[];
  return {
    object: oneOf(COLOUR_NAMES, object, 'object colour'),
    shape: oneOf(SHAPES, shape, 'shape'),
    motion: oneOf(MOTIONS, motion, 'motion'),
    background: oneOf(COLOUR_NAMES, background, 'background colour'),
  };
}
