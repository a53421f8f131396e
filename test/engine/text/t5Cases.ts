import fs from 'node:fs';
import path from 'node:path';

/** test/fixtures/t5: a SentencePiece model with T5's settings and what SentencePiece and Open-Sora make of 50+ prompts. */
export const T5_FIXTURE_DIR = path.resolve('test/fixtures/t5');
export const T5_SPIECE_MODEL = path.join(T5_FIXTURE_DIR, 'spiece.model');
/** A real SentencePiece model without `<pad>`: not a T5 tokenizer. */
export const NO_PAD_MODEL = path.join(T5_FIXTURE_DIR, 'no-pad.model');

export interface T5Case {
  prompt: string;
  /** SentencePiece ids of the raw prompt under T5's rules (`</s>` appended, cut to maxTokens), before padding. */
  promptIds: number[];
  promptTruncated: boolean;
  /** Open-Sora 1.2's text for T5 (score appended, caption cleaned twice), from upstream's own code. */
  prepared: string;
  preparedIds: number[];
  preparedTruncated: boolean;
}

export interface T5Cases {
  preparedBy: Record<string, string>;
  maxTokens: number;
  padId: number;
  endId: number;
  unknownId: number;
  aestheticScore: number;
  cases: T5Case[];
  /** 400 seeded prompts made of the cleaning's and the normalizer's corner cases (markup, references, URLs, Unicode). */
  stressCases: T5Case[];
}

export function readT5Cases(file = path.join(T5_FIXTURE_DIR, 'cases.json')): T5Cases {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T5Cases;
}
