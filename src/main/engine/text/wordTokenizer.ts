/** Tokenized prompt: ids padded to maxTokens, the count of real tokens (end token included) and warnings. */
export interface TokenizedPrompt {
  /** int64 [maxTokens] */
  ids: BigInt64Array;
  /** Real tokens including the end token (Open-Sora's y_len). */
  length: number;
  /** 1 for real tokens, 0 for padding, [maxTokens]. */
  mask: Uint8Array;
  words: string[];
  unknownWords: string[];
  truncated: boolean;
}

export interface WordTokenizerConfig {
  vocabulary: readonly string[];
  maxTokens: number;
  padId: number;
  unknownId: number;
  endId: number;
  lowercase: boolean;
}

/**
 * The prompt word rule (models/FORMAT.md, "Tokenizer"): a word is a maximal run of Unicode letters (L*), combining
 * marks (M*) and numbers (N*); everything else separates words. The model tools split captions with the same rule
 * (models/tools/words.py); the model-tools suite checks that the two agree on every code point.
 */
export function splitWords(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/**
 * The built-in model's word tokenizer (models/FORMAT.md): lowercase if the manifest says so, split into words
 * (splitWords), map to vocabulary ids, unknown words to unknownId, append the end token, truncate keeping it, pad.
 */
export function createWordTokenizer(config: WordTokenizerConfig): (prompt: string) => TokenizedPrompt {
  const ids = new Map<string, number>();
  config.vocabulary.forEach((word, index) => {
    if (!ids.has(word)) {
      ids.set(word, index);
    }
  });
  return (prompt) => {
    const text = config.lowercase ? prompt.toLowerCase() : prompt;
    const words = splitWords(text);
    const unknownWords: string[] = [];
    const wordIds = words.map((word) => {
      const id = ids.get(word);
      if (id === undefined) {
        unknownWords.push(word);
        return config.unknownId;
      }
      return id;
    });
    const room = config.maxTokens - 1;
    const truncated = wordIds.length > room;
    const kept = [...wordIds.slice(0, room), config.endId];
    const out = new BigInt64Array(config.maxTokens).fill(BigInt(config.padId));
    const mask = new Uint8Array(config.maxTokens);
    kept.forEach((id, index) => {
      out[index] = BigInt(id);
      mask[index] = 1;
    });
    return { ids: out, length: kept.length, mask, words, unknownWords, truncated };
  };
}
