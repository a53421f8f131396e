import { decodeHTML, decodeHTMLStrict } from 'entities';

/**
 * Windows-1252's bytes 0x80–0x9F (the five it leaves undefined stand for themselves, as in Python's
 * fallbacks). Node's TextDecoder('windows-1252') reads these bytes as Latin-1, so the table is spelled out.
 */
const WINDOWS_1252_C1 = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** A character from 0x00–0xFF read as a Windows-1252 byte. */
export function windows1252Char(byte: number): string {
  return byte >= 0x80 && byte <= 0x9f ? WINDOWS_1252_C1[byte - 0x80] : String.fromCharCode(byte);
}

/**
 * Python's `html.unescape`: numeric references with Python's replacements (0 → U+FFFD, 0x80–0x9F read as
 * Windows-1252, surrogates and values past U+10FFFF → U+FFFD, the "invalid code points" dropped), named
 * references from the WHATWG table (the `entities` package), a name without `;` matched by its longest
 * legacy prefix.
 */
export function pythonHtmlUnescape(text: string): string {
  if (!text.includes('&')) {
    return text;
  }
  return text.replace(/&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g, (whole, reference: string) =>
    reference.startsWith('#') ? pythonNumericReference(reference) : decodeHTML(whole),
  );
}

/** The character a numeric reference (`#65;`, `#x41`) stands for under Python's rules. */
function pythonNumericReference(reference: string): string {
  const digits = reference.replace(/;$/, '');
  const isHex = digits[1] === 'x' || digits[1] === 'X';
  const codePoint = Number.parseInt(isHex ? digits.slice(2) : digits.slice(1), isHex ? 16 : 10);
  if (codePoint === 0) {
    return '\ufffd';
  }
  if (codePoint === 0x0d) {
    return '\r';
  }
  if (codePoint >= 0x80 && codePoint <= 0x9f) {
    return windows1252Char(codePoint);
  }
  if ((codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint > 0x10ffff) {
    return '\ufffd';
  }
  if (isInvalidCodePoint(codePoint)) {
    return '';
  }
  return String.fromCodePoint(codePoint);
}

function isInvalidCodePoint(codePoint: number): boolean {
  return (
    (codePoint >= 0x01 && codePoint <= 0x08) ||
    codePoint === 0x0b ||
    (codePoint >= 0x0e && codePoint <= 0x1f) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0xfdd0 && codePoint <= 0xfdef) ||
    (codePoint & 0xfffe) === 0xfffe
  );
}

/** The text of a named reference written without its `;` (`amp`, `eacute`), or undefined when no such name exists. */
export function namedReference(name: string): string | undefined {
  const reference = `&${name};`;
  const decoded = decodeHTMLStrict(reference);
  return decoded === reference ? undefined : decoded;
}
