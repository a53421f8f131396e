import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitWords } from '../../src/main/engine/text/wordTokenizer';

/**
 * The prompt word rule of models/FORMAT.md has two implementations: the engine's splitWords (TypeScript) and the
 * model tools' prompt_words (models/tools/words.py), which also builds the vocabulary from the captions. They must
 * agree, or the engine would look up words the model never saw.
 */
const PYTHON = process.env.STUDIO_PYTHON ?? '/usr/bin/python3';
const TOOLS_DIR = path.resolve(__dirname, '../../models/tools');

const TRICKY = [
  'a red circle moving left on a blue background',
  '  Red-circle, moving_left!! ',
  'tab\tnew\nline\u00a0nbsp\u3000ideographic',
  'rock&roll 50% $5 a+b=c 🙂smile',
  '',
  '—…!?',
  'café naïve cafe\u0301',
  'नमस्ते दुनिया',
  '東京タワー、夜',
  'x² ２３ Ⅻ ½ ³⁄₄',
  'ΟΔΟΣ ΣΑΣ Σ',
  'İstanbul STRASSE Straße ẞ',
  'ǅungla ﬁne ﬀ',
  "don't l'été",
  'a\u200bb\u200dc',
];

function runPython(script: string, input: string): string {
  const run = spawnSync(PYTHON, ['-c', script, TOOLS_DIR], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(run.error, `cannot run ${PYTHON}`).toBeUndefined();
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('prompt word rule: engine (TypeScript) and model tools (Python) agree', () => {
  it('on tricky prompts, after lower-casing', () => {
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
from words import prompt_words
print(json.dumps([prompt_words(text) for text in json.load(sys.stdin)]))
`;
    const python = JSON.parse(runPython(script, JSON.stringify(TRICKY))) as string[][];
    expect(python).toEqual(TRICKY.map((text) => splitWords(text.toLowerCase())));
    // The list is tricky only if the simple ASCII rule would have split some of it differently.
    expect(TRICKY.some((text) => splitWords(text.toLowerCase()).join(' ') !== (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).join(' '))).toBe(true);
  });

  it("on every code point Python's Unicode database assigns: word character or not, and its lower case", () => {
    // One row per assigned code point: [code point, 1 if a word character, lower case if it differs].
    const script = `
import json, sys, unicodedata
sys.path.insert(0, sys.argv[1])
from words import is_word_char
rows = []
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    ch = chr(cp)
    if unicodedata.category(ch) == "Cn":
        continue
    lower = ch.lower()
    rows.append([cp, 1 if is_word_char(ch) else 0] + ([lower] if lower != ch else []))
print(json.dumps({"unicode": unicodedata.unidata_version, "rows": rows}))
`;
    const { unicode, rows } = JSON.parse(runPython(script, '')) as { unicode: string; rows: Array<[number, number, string?]> };
    expect(rows.length).toBeGreaterThan(100_000);
    const disagreements: string[] = [];
    for (const [codePoint, isWord, lower] of rows) {
      const char = String.fromCodePoint(codePoint);
      const tsIsWord = splitWords(`.${char}.`).join('') === char;
      const tsLower = char.toLowerCase();
      if (tsIsWord !== (isWord === 1) || tsLower !== (lower ?? char)) {
        disagreements.push(`U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`);
      }
    }
    expect(disagreements, `Python (Unicode ${unicode}) and Node (Unicode ${process.versions.unicode}) disagree`).toEqual([]);
  });
});
