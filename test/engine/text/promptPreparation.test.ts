import { describe, expect, it } from 'vitest';
import {
  OPEN_SORA_AESTHETIC_SCORE,
  appendAestheticScore,
  prepareOpenSoraPrompt,
} from '../../../src/main/engine/models/opensora/text/promptPreparation';
import { UnsupportedMarkupError } from '../../../src/main/engine/models/opensora/text/htmlText';
import { readT5Cases } from './t5Cases';

const fixture = readT5Cases();

describe('Open-Sora 1.2 prompt preparation', () => {
  it('has the fixture Open-Sora’s own code prepared: 50+ prompts of every kind, one past 300 tokens', () => {
    expect(fixture.preparedBy.opensora).toBe('v1.2.0');
    expect(fixture.aestheticScore).toBe(OPEN_SORA_AESTHETIC_SCORE);
    const prompts = fixture.cases.map((c) => c.prompt);
    expect(prompts.length).toBeGreaterThanOrEqual(50);
    const kinds: Record<string, RegExp> = {
      upperCase: /[A-Z]/,
      punctuation: /[!?;:…]/,
      digits: /\d{3}/,
      nonAscii: /\P{ASCII}/u,
      htmlEntity: /&[a-z]+;|&#\d+;/,
      url: /https?:\/\/|www\./,
    };
    for (const [kind, pattern] of Object.entries(kinds)) {
      expect(prompts.filter((prompt) => pattern.test(prompt)).length, kind).toBeGreaterThanOrEqual(3);
    }
    expect(fixture.cases.some((c) => c.preparedTruncated)).toBe(true);
  });

  it.each(fixture.cases.map((c, index) => [index, c.prompt, c.prepared] as const))(
    'prompt %i becomes exactly upstream’s text',
    (_, prompt, prepared) => {
      expect(prepareOpenSoraPrompt(prompt)).toBe(prepared);
    },
  );

  it('gives upstream’s text for 400 generated corner-case prompts (markup, references, URLs, Unicode classes)', () => {
    expect(fixture.stressCases.length).toBeGreaterThanOrEqual(400);
    const mismatches = fixture.stressCases
      .map((c) => ({ prompt: c.prompt, expected: c.prepared, actual: prepareOpenSoraPrompt(c.prompt) }))
      .filter((c) => c.actual !== c.expected);
    expect(mismatches).toEqual([]);
  });

  it('appends the score as append_score_to_prompts does, unless the prompt names one', () => {
    expect(appendAestheticScore('a cat', 6.5)).toBe('a cat aesthetic score: 6.5.');
    expect(appendAestheticScore('a cat', 7)).toBe('a cat aesthetic score: 7.0.');
    expect(appendAestheticScore('a cat, aesthetic score: 5.0.', 6.5)).toBe('a cat, aesthetic score: 5.0.');
    expect(appendAestheticScore('a cat', null)).toBe('a cat');
    expect(() => appendAestheticScore('a cat', Number.NaN)).toThrow(/finite/);
  });

  it('formats the score like Python’s "{:.1f}" (exact ties to even)', () => {
    expect(appendAestheticScore('x', 6.25)).toBe('x aesthetic score: 6.2.');
    expect(appendAestheticScore('x', 6.75)).toBe('x aesthetic score: 6.8.');
    expect(appendAestheticScore('x', 6.05)).toBe('x aesthetic score: 6.0.');
    expect(appendAestheticScore('x', -6.25)).toBe('x aesthetic score: -6.2.');
  });

  it('refuses the <![ sections html.parser refuses (upstream raises an AssertionError there), keeps the ones it reads', () => {
    for (const prompt of ['a <![foo bar]]> b', 'a <![', 'a <![1x]> b']) {
      expect(() => prepareOpenSoraPrompt(prompt), prompt).toThrow(UnsupportedMarkupError);
    }
    expect(prepareOpenSoraPrompt('a <![if x]> b')).toBe('a b aesthetic score: 6.5.');
    expect(prepareOpenSoraPrompt('a <![cdata[q]]> b')).toBe('a q b aesthetic score: 6.5.');
  });

  it('cleans without the score when asked for none (upstream with aes=None)', () => {
    expect(prepareOpenSoraPrompt('A Cat &amp; a DOG', { aestheticScore: null })).toBe('a cat a dog');
  });
});
