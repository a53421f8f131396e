import { type TokenizedPrompt } from '../../../text/wordTokenizer';
import { OPEN_SORA_AESTHETIC_SCORE, prepareOpenSoraPrompt, type PromptPreparationOptions } from './promptPreparation';
import { type T5Tokenizer } from './t5Tokenizer';

/** What the Open-Sora text stage feeds T5, and what the run summary reports (`promptText`, `promptTokens`). */
export interface OpenSoraTextInput {
  /** The prompt after Open-Sora's preparation (score appended, caption cleaned twice). */
  promptText: string;
  /** The ids given to the encoder before padding, `</s>` last. */
  promptTokens: number[];
  /** The padded row and mask for the encoder. */
  tokens: TokenizedPrompt;
}

/** A user's prompt → Open-Sora 1.2's T5 input: prepare the text as upstream does, then tokenize with T5's rules. */
export function openSoraTextInput(
  tokenizer: T5Tokenizer,
  prompt: string,
  options: PromptPreparationOptions = { aestheticScore: OPEN_SORA_AESTHETIC_SCORE },
): OpenSoraTextInput {
  const promptText = prepareOpenSoraPrompt(prompt, options);
  const tokens = tokenizer.encode(promptText);
  return { promptText, promptTokens: Array.from(tokens.ids.subarray(0, tokens.length), Number), tokens };
}
