import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OPEN_SORA_T5_MAX_TOKENS,
  T5TokenizerError,
  loadT5Tokenizer,
  type T5Tokenizer,
} from '../../../src/main/engine/models/opensora/text/t5Tokenizer';
import { openSoraTextInput } from '../../../src/main/engine/models/opensora/text/openSoraTextInput';
import { NO_PAD_MODEL, T5_SPIECE_MODEL, readT5Cases } from './t5Cases';

const fixture = readT5Cases();

function expectRow(tokenizer: T5Tokenizer, text: string, expectedIds: number[], expectedTruncated: boolean): void {
  const tokens = tokenizer.encode(text);
  expect(tokens.length).toBe(expectedIds.length);
  expect(Array.from(tokens.ids.slice(0, tokens.length), Number)).toEqual(expectedIds);
  expect(Array.from(tokens.ids.slice(tokens.length), Number).every((id) => id === fixture.padId)).toBe(true);
  expect(Array.from(tokens.mask)).toEqual(Array.from({ length: fixture.maxTokens }, (_, index) => (index < expectedIds.length ? 1 : 0)));
  expect(tokens.truncated).toBe(expectedTruncated);
  expect(tokens.unknownWords.length > 0).toBe(expectedIds.includes(fixture.unknownId));
}

describe('T5 tokenizer (SentencePiece in WebAssembly reading spiece.model)', () => {
  let tokenizer: T5Tokenizer;
  beforeAll(async () => {
    tokenizer = await loadT5Tokenizer(T5_SPIECE_MODEL, { maxTokens: OPEN_SORA_T5_MAX_TOKENS });
  });

  it('reads T5’s special ids from the model: <pad> 0, </s> 1, <unk> 2, as SentencePiece does', () => {
    expect(fixture.maxTokens).toBe(OPEN_SORA_T5_MAX_TOKENS);
    expect({ pad: tokenizer.padId, end: tokenizer.endId, unknown: tokenizer.unknownId }).toEqual({
      pad: fixture.padId,
      end: fixture.endId,
      unknown: fixture.unknownId,
    });
    expect([fixture.padId, fixture.endId, fixture.unknownId]).toEqual([0, 1, 2]);
  });

  it.each(fixture.cases.map((c, index) => [index, c] as const))('raw prompt %i gives SentencePiece’s ids, </s>, padding and mask', (_, c) => {
    expectRow(tokenizer, c.prompt, c.promptIds, c.promptTruncated);
  });

  it.each(fixture.cases.map((c, index) => [index, c] as const))('prepared prompt %i gives SentencePiece’s ids', (_, c) => {
    expectRow(tokenizer, c.prepared, c.preparedIds, c.preparedTruncated);
  });

  it('gives SentencePiece’s ids for the 400 corner-case prompts, raw and prepared (controls, widths, marks, scripts)', () => {
    expect(fixture.stressCases.length).toBeGreaterThanOrEqual(400);
    const mismatches = fixture.stressCases.flatMap((c) =>
      [
        { text: c.prompt, expected: c.promptIds },
        { text: c.prepared, expected: c.preparedIds },
      ]
        .map(({ text, expected }) => {
          const tokens = tokenizer.encode(text);
          return { text, expected, actual: Array.from(tokens.ids.subarray(0, tokens.length), Number) };
        })
        .filter(({ expected, actual }) => JSON.stringify(expected) !== JSON.stringify(actual)),
    );
    expect(mismatches).toEqual([]);
  });

  it('cuts a prompt over 300 tokens to 299 text tokens and </s>, like max_length with truncation', () => {
    const long = fixture.cases.filter((c) => c.promptTruncated);
    expect(long.length).toBeGreaterThan(0);
    for (const c of long) {
      const tokens = tokenizer.encode(c.prompt);
      expect(tokens.length).toBe(OPEN_SORA_T5_MAX_TOKENS);
      expect(Number(tokens.ids[OPEN_SORA_T5_MAX_TOKENS - 1])).toBe(tokenizer.endId);
      expect(tokens.mask.every((bit) => bit === 1)).toBe(true);
    }
  });

  it('turns a user prompt into Open-Sora’s T5 input: prepared text and its ids before padding', () => {
    for (const c of fixture.cases) {
      const input = openSoraTextInput(tokenizer, c.prompt);
      expect(input.promptText).toBe(c.prepared);
      expect(input.promptTokens).toEqual(c.preparedIds);
      expect(input.tokens.length).toBe(c.preparedIds.length);
    }
  });

  it('keeps the row length it is given (a small package’s max tokens)', async () => {
    const short = await loadT5Tokenizer(T5_SPIECE_MODEL, { maxTokens: 8 });
    const c = fixture.cases.find((item) => item.promptIds.length > 8);
    expect(c).toBeDefined();
    const tokens = short.encode(c!.prompt);
    expect(Array.from(tokens.ids, Number)).toEqual([...c!.promptIds.slice(0, 7), fixture.endId]);
    expect(tokens.truncated).toBe(true);
  });
});

describe('T5 tokenizer: bad input', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 't5-tokenizer-'));

  it('names a missing spiece.model', async () => {
    const missing = path.join(scratch, 'missing', 'spiece.model');
    await expect(loadT5Tokenizer(missing, { maxTokens: 300 })).rejects.toThrow(T5TokenizerError);
    await expect(loadT5Tokenizer(missing, { maxTokens: 300 })).rejects.toThrow(missing);
  });

  it.each([
    ['text', Buffer.from('this is not a sentencepiece model\n')],
    ['empty', Buffer.alloc(0)],
    ['truncated', fs.readFileSync(T5_SPIECE_MODEL).subarray(0, 4000)],
  ])('refuses a spiece.model that is not one (%s), naming the file', async (kind, bytes) => {
    const file = path.join(scratch, `${kind}-spiece.model`);
    fs.writeFileSync(file, bytes);
    await expect(loadT5Tokenizer(file, { maxTokens: 300 })).rejects.toThrow(new RegExp(`${file.replaceAll('.', '\\.')} is not a SentencePiece model`));
  });

  it('refuses a SentencePiece model without T5’s <pad>, naming the file', async () => {
    await expect(loadT5Tokenizer(NO_PAD_MODEL, { maxTokens: 300 })).rejects.toThrow(
      `${NO_PAD_MODEL} has no <pad> piece, so it is not a T5 tokenizer model.`,
    );
  });

  it('refuses a model whose special ids differ from the ones the manifest records', async () => {
    await expect(loadT5Tokenizer(T5_SPIECE_MODEL, { maxTokens: 300, expectedIds: { padId: 0, endId: 1 } })).resolves.toBeDefined();
    await expect(loadT5Tokenizer(T5_SPIECE_MODEL, { maxTokens: 300, expectedIds: { padId: 0, endId: 2 } })).rejects.toThrow(
      /spiece\.model has <pad> = 0 and <\/s> = 1, but the manifest says 0 and 2/,
    );
  });

  it('refuses a row length that is not a positive integer', async () => {
    await expect(loadT5Tokenizer(T5_SPIECE_MODEL, { maxTokens: 0 })).rejects.toThrow(RangeError);
    await expect(loadT5Tokenizer(T5_SPIECE_MODEL, { maxTokens: 2.5 })).rejects.toThrow(RangeError);
  });
});
