import { describe, expect, it } from 'vitest';
import { createWordTokenizer, splitWords } from '../../../src/main/engine/text/wordTokenizer';

/** The prompt word rule of models/FORMAT.md ("Tokenizer"), pinned on inputs where simpler rules differ. */
describe('splitWords', () => {
  it('splits on punctuation, spaces, underscores and symbols', () => {
    expect(splitWords('a red circle')).toEqual(['a', 'red', 'circle']);
    expect(splitWords('  Red-circle, moving_left!! ')).toEqual(['Red', 'circle', 'moving', 'left']);
    expect(splitWords('tab\tnew\nline\u00a0nbsp\u3000ideographic')).toEqual(['tab', 'new', 'line', 'nbsp', 'ideographic']);
    expect(splitWords('rock&roll 50% $5 a+b=c 🙂smile')).toEqual(['rock', 'roll', '50', '5', 'a', 'b', 'c', 'smile']);
    expect(splitWords('')).toEqual([]);
    expect(splitWords('—…!?')).toEqual([]);
  });

  it('keeps letters, combining marks and numbers of any script in one word', () => {
    expect(splitWords('café naïve')).toEqual(['café', 'naïve']);
    // "e" + U+0301 COMBINING ACUTE: the mark belongs to the word.
    expect(splitWords('cafe\u0301 bar')).toEqual(['cafe\u0301', 'bar']);
    expect(splitWords('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
    expect(splitWords('東京タワー、夜')).toEqual(['東京タワー', '夜']);
    expect(splitWords('x² ２３ Ⅻ ½')).toEqual(['x²', '２３', 'Ⅻ', '½']);
  });

  it('is what the tokenizer looks up, after Unicode lower-casing', () => {
    const tokenize = createWordTokenizer({ vocabulary: ['<pad>', '<unk>', '<end>', 'red', 'οδος', 'i̇stanbul'], maxTokens: 6, padId: 0, unknownId: 1, endId: 2, lowercase: true });
    const tokens = tokenize('RED, ΟΔΟΣ; İstanbul_Straße');
    // Final sigma and the dotted capital I follow the Unicode case mapping, as Python's str.lower() does.
    expect(tokens.words).toEqual(['red', 'οδος', 'i̇stanbul', 'straße']);
    expect(Array.from(tokens.ids, Number)).toEqual([3, 4, 5, 1, 2, 0]);
    expect(tokens.unknownWords).toEqual(['straße']);
  });
});
