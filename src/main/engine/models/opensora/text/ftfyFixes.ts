import { decodeHTMLStrict } from 'entities';
import { pythonHtmlUnescape, windows1252Char } from './htmlEntities';

/**
 * The fixes of ftfy's `fix_text` (ftfy 6.2, default settings) that are rules rather than guesses, applied in
 * ftfy's order and repeated until the text stops changing, line by line:
 * HTML entities (unless the text holds a `<`), C1 controls read as Windows-1252, Latin ligatures split,
 * fullwidth/halfwidth forms to standard width, curly quotes straightened, line breaks to `\n`, lone
 * surrogates to U+FFFD, terminal escapes and unwanted control characters removed, then NFC.
 *
 * Not included: ftfy's mojibake repair (`fix_encoding`), a statistical detector of text decoded with the wrong
 * codec ("cafÃ©" → "café"). Prompts typed into the studio are real Unicode; a mojibake prompt stays as typed.
 */
export function ftfyFixText(text: string): string {
  const out: string[] = [];
  let unescapeHtml = true;
  let position = 0;
  while (position < text.length) {
    const lineBreak = text.indexOf('\n', position);
    const end = lineBreak < 0 ? text.length : lineBreak + 1;
    const segment = text.slice(position, end);
    // ftfy's "auto": a literal "<" means the text is HTML, so its entities stay (for this line and the rest).
    if (segment.includes('<')) {
      unescapeHtml = false;
    }
    out.push(fixSegment(segment, unescapeHtml));
    position = end;
  }
  return out.join('');
}

/** ANSI terminal escapes ("ESC[1;31m"). */
const terminalEscape = new RegExp(`${String.fromCharCode(0x1b)}\\[((?:\\p{Nd}|;)*)([a-zA-Z])`, 'gu');
/** C0 controls but tab, line feed, form feed and carriage return; DEL; deprecated format characters; BOM; interlinear annotation. */
const unwantedControls = /(?![\t\n\f\r\x80-\x9f])\p{Cc}|[\u206a-\u206f\ufeff\ufff9-\ufffc]/gu;

function fixSegment(segment: string, unescapeHtml: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescapeHtml) {
      text = text.replace(/&#?[0-9A-Za-z]{1,24};/g, unescapeEntity);
    }
    text = text.replace(/[\x80-\x9f]/g, (char) => windows1252Char(char.charCodeAt(0)));
    text = replaceChars(text, ligatureOrWidth);
    text = text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
    text = text.replaceAll('\r\n', '\n').replace(/[\r\u2028\u2029\u0085]/g, '\n');
    text = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
    text = text.replace(terminalEscape, '');
    text = text.replace(unwantedControls, '');
    text = text.normalize('NFC');
    if (text === before) {
      return text;
    }
  }
}

/** ftfy's entity table: every WHATWG name with `;`, and the upper-cased spelling of lower-case names. */
function unescapeEntity(reference: string): string {
  if (reference.startsWith('&#')) {
    const unescaped = pythonHtmlUnescape(reference);
    return unescaped.includes(';') ? reference : unescaped;
  }
  const decoded = decodeHTMLStrict(reference);
  if (decoded !== reference) {
    return decoded;
  }
  const lower = reference.toLowerCase();
  // Only where the upper-case spelling means nothing to Python's html.unescape (not even a legacy prefix).
  if (reference === reference.toUpperCase() && lower !== reference && pythonHtmlUnescape(reference) === reference) {
    const lowerDecoded = decodeHTMLStrict(lower);
    if (lowerDecoded !== lower) {
      return lowerDecoded.toUpperCase();
    }
  }
  return reference;
}

const ligatures: Record<string, string> = {
  'Ĳ': 'IJ', 'ĳ': 'ij', 'ŉ': 'ʼn', 'Ǳ': 'DZ', 'ǲ': 'Dz', 'ǳ': 'dz', 'Ǆ': 'DŽ', 'ǅ': 'Dž', 'ǆ': 'dž', 'Ǉ': 'LJ',
  'ǈ': 'Lj', 'ǉ': 'lj', 'Ǌ': 'NJ', 'ǋ': 'Nj', 'ǌ': 'nj', 'ﬀ': 'ff', 'ﬁ': 'fi', 'ﬂ': 'fl', 'ﬃ': 'ffi', 'ﬄ': 'ffl',
  'ﬅ': 'ſt', 'ﬆ': 'st',
};

/** One translation table, as ftfy's `str.translate` passes use: ligatures, then width forms (they don't overlap). */
function ligatureOrWidth(char: string): string {
  const ligature = ligatures[char];
  if (ligature !== undefined) {
    return ligature;
  }
  if (char === '\u3000') {
    return ' ';
  }
  const code = char.charCodeAt(0);
  return code >= 0xff01 && code <= 0xffef ? char.normalize('NFKC') : char;
}

function replaceChars(text: string, map: (char: string) => string): string {
  return text.replace(/[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06\u3000\uff01-\uffef]/g, map);
}
