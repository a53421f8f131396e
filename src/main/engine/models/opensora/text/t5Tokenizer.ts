import { readFile } from 'node:fs/promises';
import { SentencePieceProcessor } from '@sctg/sentencepiece-js';
import { type TokenizedPrompt } from '../../../text/wordTokenizer';

/** Open-Sora 1.2 runs T5 on 300 tokens (`model_max_length=300` in configs/opensora-v1-2/inference/sample.py). */
export const OPEN_SORA_T5_MAX_TOKENS = 300;

export interface T5TokenizerOptions {
  /** Length of the padded id row, `</s>` included (Hugging Face's `max_length` with truncation). */
  maxTokens: number;
  /** The ids a package's manifest records for `<pad>` and `</s>`: loading fails if the model disagrees. */
  expectedIds?: { padId: number; endId: number };
}

export interface T5Tokenizer {
  readonly maxTokens: number;
  readonly padId: number;
  readonly endId: number;
  readonly unknownId: number;
  /** Ids as Hugging Face's T5 tokenizer gives them with padding="max_length", truncation, special tokens. */
  encode(text: string): TokenizedPrompt;
}

/** The tokenizer file is missing, unreadable, or not a SentencePiece model with T5's special pieces. */
export class T5TokenizerError extends Error {}

/**
 * T5's tokenizer from its SentencePiece model (`spiece.model`, as published with the T5 checkpoints), run by
 * Google's SentencePiece compiled to WebAssembly (@sctg/sentencepiece-js): the unigram segmentation and the
 * model's own normalization, so the ids are SentencePiece's. T5's rules on top, as `T5TokenizerFast` applies
 * them: `</s>` appended, the row cut to maxTokens with `</s>` kept last, padded with `<pad>`, mask 1 on real
 * tokens.
 */
export async function loadT5Tokenizer(spiecePath: string, options: T5TokenizerOptions): Promise<T5Tokenizer> {
  if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1) {
    throw new RangeError(`T5 maxTokens must be a positive integer; got ${options.maxTokens}.`);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(spiecePath);
  } catch (error) {
    throw new T5TokenizerError(`Cannot read the T5 tokenizer model ${spiecePath}: ${(error as Error).message}`);
  }
  const processor = new SentencePieceProcessor();
  await processor.loadFromB64StringModel(bytes.toString('base64'));
  const engine = new LoadedModel(processor);
  const loadStatus = engine.status();
  if (loadStatus !== 'OK') {
    throw new T5TokenizerError(`${spiecePath} is not a SentencePiece model (${loadStatus}).`);
  }
  const unknownId = engine.pieceToId('<unk>');
  const specialIds = { padId: engine.pieceToId('<pad>'), endId: engine.pieceToId('</s>') };
  for (const [piece, id] of [['<pad>', specialIds.padId], ['</s>', specialIds.endId]] as const) {
    if (id === unknownId) {
      throw new T5TokenizerError(`${spiecePath} has no ${piece} piece, so it is not a T5 tokenizer model.`);
    }
  }
  const expected = options.expectedIds;
  if (expected && (expected.padId !== specialIds.padId || expected.endId !== specialIds.endId)) {
    throw new T5TokenizerError(
      `${spiecePath} has <pad> = ${specialIds.padId} and </s> = ${specialIds.endId}, ` +
        `but the manifest says ${expected.padId} and ${expected.endId}.`,
    );
  }
  const maxTokens = options.maxTokens;
  return {
    maxTokens,
    ...specialIds,
    unknownId,
    encode(text: string): TokenizedPrompt {
      const textIds = processor.encodeIds(text);
      const pieces = processor.encodePieces(text);
      const truncated = textIds.length > maxTokens - 1;
      const kept = [...textIds.slice(0, maxTokens - 1), specialIds.endId];
      const ids = new BigInt64Array(maxTokens).fill(BigInt(specialIds.padId));
      const mask = new Uint8Array(maxTokens);
      kept.forEach((id, index) => {
        ids[index] = BigInt(id);
        mask[index] = 1;
      });
      const unknownWords = pieces.filter((_, index) => textIds[index] === unknownId);
      return { ids, length: kept.length, mask, words: pieces, unknownWords, truncated };
    },
  };
}

/** The parts of the WebAssembly module the package exposes untyped: load status and piece lookup. */
interface EmbindStatus {
  ToString(): string;
  delete(): void;
}
interface EmbindStringView {
  getView(): unknown;
  delete(): void;
}
interface EmbindProcessor {
  status(): EmbindStatus;
  PieceToId(view: unknown): number;
}
interface EmbindModule {
  StringView: new (text: string) => EmbindStringView;
}

class LoadedModel {
  private readonly processor: EmbindProcessor;
  private readonly module: EmbindModule;

  constructor(loaded: SentencePieceProcessor) {
    this.processor = loaded.processor;
    this.module = loaded.sentencepiece;
  }

  /** "OK", or SentencePiece's reason for refusing the bytes. */
  status(): string {
    const status = this.processor.status();
    try {
      return status.ToString();
    } finally {
      status.delete();
    }
  }

  pieceToId(piece: string): number {
    const text = new this.module.StringView(piece);
    const view = text.getView() as { delete(): void };
    try {
      return this.processor.PieceToId(view);
    } finally {
      view.delete();
      text.delete();
    }
  }
}
