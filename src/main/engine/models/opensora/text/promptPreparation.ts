import { cleanCaptionOnce } from './cleanCaption';

/** The aesthetic score Open-Sora 1.2's inference config asks for (`aes = 6.5`). */
export const OPEN_SORA_AESTHETIC_SCORE = 6.5;

export interface PromptPreparationOptions {
  /** Appended as " aesthetic score: X.X." unless the prompt already names one; null appends nothing. */
  aestheticScore: number | null;
}

/**
 * The text Open-Sora 1.2 feeds to T5 for a user's prompt (scripts/inference.py at tag v1.2.0): append the
 * aesthetic score the way `append_score_to_prompts` does, then clean the caption twice, as
 * `text_preprocessing` does ("the exact text cleaning as was in the training stage").
 */
export function prepareOpenSoraPrompt(
  prompt: string,
  options: PromptPreparationOptions = { aestheticScore: OPEN_SORA_AESTHETIC_SCORE },
): string {
  return cleanCaptionOnce(cleanCaptionOnce(appendAestheticScore(prompt, options.aestheticScore)));
}

/** `append_score_to_prompts` with only `aes` set: skipped when the prompt already says "aesthetic score:". */
export function appendAestheticScore(prompt: string, score: number | null): string {
  if (score === null || prompt.includes('aesthetic score:')) {
    return prompt;
  }
  if (!Number.isFinite(score)) {
    throw new RangeError(`The aesthetic score must be a finite number; got ${score}.`);
  }
  return `${prompt} aesthetic score: ${formatOneDecimal(score)}.`;
}

/** Python's `f"{x:.1f}"`: like toFixed(1), except that an exact tie rounds to the even digit. */
function formatOneDecimal(value: number): string {
  const isExactTie = Number.isInteger(value * 20) && !Number.isInteger(value * 10);
  if (!isExactTie) {
    return value.toFixed(1);
  }
  const down = Math.floor(value * 10);
  const tenths = down % 2 === 0 ? down : down + 1;
  return (tenths / 10).toFixed(1);
}
