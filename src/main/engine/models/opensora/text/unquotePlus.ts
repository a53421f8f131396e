const utf8 = new TextDecoder('utf-8');
const hexPair = /^[0-9a-fA-F]{2}$/;

/**
 * Python's `urllib.parse.unquote_plus` with its defaults (UTF-8, errors "replace"): `+` becomes a space, and
 * each run of ASCII text has its `%XX` escapes turned into bytes and decoded as UTF-8, an invalid sequence
 * becoming U+FFFD. A `%` not followed by two hex digits stays as it is; non-ASCII characters pass through and
 * split byte runs (Python decodes each ASCII run on its own). `decodeURIComponent` is not the same: it throws
 * on a stray `%` and on invalid UTF-8.
 */
export function unquotePlus(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  if (!spaced.includes('%')) {
    return spaced;
  }
  return spaced.replace(/\p{ASCII}+/gu, decodeAsciiRun);
}

function decodeAsciiRun(run: string): string {
  if (!run.includes('%')) {
    return run;
  }
  const bytes: number[] = [];
  const parts = run.split('%');
  for (const char of parts[0]) {
    bytes.push(char.charCodeAt(0));
  }
  for (const part of parts.slice(1)) {
    const hex = part.slice(0, 2);
    const rest = hexPair.test(hex) ? part.slice(2) : `%${part}`;
    if (hexPair.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
    }
    for (const char of rest) {
      bytes.push(char.charCodeAt(0));
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}
