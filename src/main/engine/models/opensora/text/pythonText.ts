/**
 * Python 3 `str` semantics that Open-Sora's caption cleaning relies on, in JavaScript regular-expression terms.
 *
 * Python's `re` on `str` patterns is Unicode-aware: `\w` is any alphanumeric character or `_`, `\d` any
 * decimal digit, `\s` any whitespace, and `\b` sits between a `\w` character and a non-`\w` one. JavaScript's
 * `\w`, `\d` and `\b` are ASCII-only even with the `u` flag, and its `\s` is a different set, so the cleaning
 * rules spell these classes out with the sources below (all for use with the `u` flag).
 */

/** Python's `\w` for `str`: letters, numbers (decimal, letter-like, other) and the underscore. */
export const PY_WORD = '[\\p{L}\\p{N}_]';
/** The inside of PY_WORD, for building larger character classes. */
export const PY_WORD_CHARS = '\\p{L}\\p{N}_';
/** Python's `\d` for `str`: any decimal digit (category Nd). */
export const PY_DIGIT = '\\p{Nd}';
/** Python's `\D`. */
export const PY_NON_DIGIT = '\\P{Nd}';
/** The characters for which Python's `str.isspace()` is true (also `\s` in `re`). */
export const PY_SPACE_CHARS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's `\s`. */
export const PY_SPACE = `[${PY_SPACE_CHARS}]`;
/** Python's `\S`. */
export const PY_NON_SPACE = `[^${PY_SPACE_CHARS}]`;
/** Python's `\b`: a position between a word character and a non-word character (or the text's ends). */
export const PY_BOUNDARY = `(?:(?<=${PY_WORD})(?!${PY_WORD})|(?<!${PY_WORD})(?=${PY_WORD}))`;
/** Python's `$` without MULTILINE: the end, or just before a newline that ends the text. */
export const PY_END = '(?=\\n?$)';

const leadingSpace = new RegExp(`^${PY_SPACE}+`, 'u');
const trailingSpace = new RegExp(`${PY_SPACE}+$`, 'u');

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(leadingSpace, '').replace(trailingSpace, '');
}

/** A global, Unicode regular expression from a source written with the constants above. */
export function pyRegex(source: string): RegExp {
  return new RegExp(source, 'gu');
}
