import { namedReference, windows1252Char } from './htmlEntities';
import { PY_SPACE, PY_SPACE_CHARS, pyStrip } from './pythonText';

/**
 * The text BeautifulSoup gives for a string parsed with Python's `html.parser` (`BeautifulSoup(s,
 * "html.parser").text`), which Open-Sora's caption cleaning uses to drop markup. Modelled on CPython 3.11's
 * `html.parser.HTMLParser` driven the way bs4 4.11 drives it (`convert_charrefs=False`, one `feed` then
 * `close`) and on what bs4 counts as text:
 * - tags, comments, declarations and processing instructions are dropped; `<![CDATA[…]]>` keeps its content
 *   (even inside `<template>`);
 * - `<script>` and `<style>` content, and text inside `<template>`, `<rt>` and `<rp>`, is not text;
 * - `&name;` becomes its character (an unknown name stays as `&name`, its `;` dropped); `&#…;` becomes
 *   its character, code points below 256 read as Windows-1252 where that defines them;
 * - a `<` or `&` that starts nothing (`a < b`, `<3`) stays as it is; incomplete constructs at the end are
 *   handled as `close()` does.
 */
export function htmlText(markup: string): string {
  const parser = new HtmlTextParser();
  const left = parser.goAhead(markup, false);
  parser.goAhead(left, true);
  return parser.text.join('');
}

/** A `<![keyword` section that html.parser refuses (it raises, so the cleaning fails upstream too). */
export class UnsupportedMarkupError extends Error {}

const startTagOpen = /<[a-zA-Z]/y;
const tagFindTolerant = new RegExp(`([a-zA-Z][^\\t\\n\\r\\f />\\x00]*)(?:${PY_SPACE}|/(?!>))*`, 'uy');
const attrFindTolerant = new RegExp(
  `((?<=['"${PY_SPACE_CHARS}/])[^${PY_SPACE_CHARS}/>][^${PY_SPACE_CHARS}/=>]*)` +
    `(${PY_SPACE}*=+${PY_SPACE}*('[^']*'|"[^"]*"|(?!['"])[^>${PY_SPACE_CHARS}]*))?(?:${PY_SPACE}|/(?!>))*`,
  'uy',
);
const locateStartTagEnd = new RegExp(
  `<[a-zA-Z][^\\t\\n\\r\\f />\\x00]*` +
    `(?:[${PY_SPACE_CHARS}/]*` +
    `(?:(?<=['"${PY_SPACE_CHARS}/])[^${PY_SPACE_CHARS}/>][^${PY_SPACE_CHARS}/=>]*` +
    `(?:${PY_SPACE}*=+${PY_SPACE}*(?:'[^']*'|"[^"]*"|(?!['"])[^>${PY_SPACE_CHARS}]*)${PY_SPACE}*)?` +
    `(?:${PY_SPACE}|/(?!>))*)*)?${PY_SPACE}*`,
  'uy',
);
const endTagFind = new RegExp(`</${PY_SPACE}*([a-zA-Z][-.a-zA-Z0-9:_]*)${PY_SPACE}*>`, 'uy');
const charRef = /&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]/y;
const entityRef = /&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]/y;
const incompleteRef = /&[a-zA-Z#]/y;
const commentClose = new RegExp(`--${PY_SPACE}*>`, 'gu');
const declarationName = new RegExp(`[a-zA-Z][-_.a-zA-Z0-9]*${PY_SPACE}*`, 'uy');

/** Elements whose content html.parser reads raw, up to the matching end tag. */
const rawTextElements = new Set(['script', 'style']);
/** Elements whose strings bs4 stores as a kind that `.text` leaves out. */
const nonTextContainers = new Set(['script', 'style', 'template', 'rt', 'rp']);
/** bs4's empty-element tags: closed as soon as they open. */
const voidElements = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'menuitem', 'meta', 'param', 'source',
  'track', 'wbr', 'basefont', 'bgsound', 'command', 'frame', 'image', 'isindex', 'nextid', 'spacer',
]);

/** `exec` from `index`: with the sticky flag a match there (Python's `match`), with the global flag a search. */
function execAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

/** Where one step of the parser left off, and whether the pass stops there (waiting for more input). */
interface Step {
  position: number;
  stop: boolean;
}

class HtmlTextParser {
  readonly text: string[] = [];
  /** In `<script>`/`<style>`: that element, and the end tag that closes its raw text. */
  private rawText: { element: string; end: RegExp } | null = null;
  private readonly openTags: string[] = [];
  private readonly closedVoidTags: string[] = [];

  /** One pass of html.parser's `goahead`; returns the input it left for a later pass. */
  goAhead(raw: string, atEnd: boolean): string {
    let i = 0;
    while (i < raw.length) {
      const j = this.nextConstruct(raw, i);
      if (j < 0) {
        break;
      }
      if (i < j) {
        this.data(raw.slice(i, j));
      }
      i = j;
      if (i === raw.length) {
        break;
      }
      const step = raw.startsWith('<', i) ? this.markupAt(raw, i, atEnd) : this.referenceAt(raw, i, atEnd);
      i = step.position;
      if (step.stop) {
        break;
      }
    }
    if (atEnd && i < raw.length && !this.rawText) {
      this.data(raw.slice(i));
      i = raw.length;
    }
    return raw.slice(i);
  }

  /** The next `<` or `&` (in raw text: the closing end tag), the end of the input, or -1 while raw text is open. */
  private nextConstruct(raw: string, i: number): number {
    if (this.rawText) {
      return execAt(this.rawText.end, raw, i)?.index ?? -1;
    }
    const next = raw.slice(i).search(/[&<]/);
    return next < 0 ? raw.length : i + next;
  }

  private markupAt(raw: string, i: number, atEnd: boolean): Step {
    let k: number;
    if (execAt(startTagOpen, raw, i)) {
      k = this.parseStartTag(raw, i);
    } else if (raw.startsWith('</', i)) {
      k = this.parseEndTag(raw, i);
    } else if (raw.startsWith('<!--', i)) {
      k = commentEnd(raw, i);
    } else if (raw.startsWith('<?', i)) {
      const close = raw.indexOf('>', i + 2);
      k = close < 0 ? -1 : close + 1;
    } else if (raw.startsWith('<!', i)) {
      k = this.parseDeclaration(raw, i);
    } else if (i + 1 < raw.length) {
      this.data('<');
      k = i + 1;
    } else {
      return { position: i, stop: true };
    }
    if (k >= 0) {
      return { position: k, stop: false };
    }
    if (!atEnd) {
      return { position: i, stop: true };
    }
    // At the end, an unfinished construct is text up to its next ">" (included) or "<", or just its "<".
    const greaterThan = raw.indexOf('>', i + 1);
    const lessThan = raw.indexOf('<', i + 1);
    k = greaterThan >= 0 ? greaterThan + 1 : lessThan >= 0 ? lessThan : i + 1;
    this.data(raw.slice(i, k));
    return { position: k, stop: false };
  }

  private referenceAt(raw: string, i: number, atEnd: boolean): Step {
    if (raw.startsWith('&#', i)) {
      const match = execAt(charRef, raw, i);
      if (!match) {
        if (raw.slice(i).includes(';')) {
          this.data('&#');
          return { position: i + 2, stop: true };
        }
        return { position: i, stop: true };
      }
      this.data(bs4CharRef(match[0].slice(2, -1)));
      return { position: referenceEnd(raw, i, match[0]), stop: false };
    }
    const match = execAt(entityRef, raw, i);
    if (match) {
      this.data(namedReference(match[1]) ?? `&${match[1]}`);
      return { position: referenceEnd(raw, i, match[0]), stop: false };
    }
    const incomplete = execAt(incompleteRef, raw, i);
    if (incomplete) {
      // html.parser's close() drops the "&" of an unfinished reference that ends the input ("a&b" → "ab").
      return { position: atEnd && incomplete[0] === raw.slice(i) ? i + 1 : i, stop: true };
    }
    if (i + 1 < raw.length) {
      this.data('&');
      return { position: i + 1, stop: false };
    }
    return { position: i, stop: true };
  }

  private data(text: string): void {
    const container = this.openTags.findLast((tag) => nonTextContainers.has(tag));
    if (!container) {
      this.text.push(text);
    }
  }

  private parseStartTag(raw: string, i: number): number {
    const endPos = wholeStartTagEnd(raw, i);
    if (endPos < 0) {
      return endPos;
    }
    const name = execAt(tagFindTolerant, raw, i + 1);
    if (!name) {
      throw new Error('html.parser invariant: a start tag without a name');
    }
    let k = i + 1 + name[0].length;
    const tag = name[1].toLowerCase();
    while (k < endPos) {
      const attribute = execAt(attrFindTolerant, raw, k);
      if (!attribute) {
        break;
      }
      k += attribute[0].length;
    }
    const end = pyStrip(raw.slice(k, endPos));
    if (end !== '>' && end !== '/>') {
      this.data(raw.slice(i, endPos));
      return endPos;
    }
    if (end.endsWith('/>')) {
      this.openTag(tag, false);
      this.closeTag(tag);
    } else {
      this.openTag(tag, true);
      if (rawTextElements.has(tag)) {
        this.rawText = { element: tag, end: new RegExp(`</${PY_SPACE}*${tag}${PY_SPACE}*>`, 'giu') };
      }
    }
    return endPos;
  }

  private openTag(tag: string, closeIfVoid: boolean): void {
    this.openTags.push(tag);
    if (closeIfVoid && voidElements.has(tag)) {
      this.closeTag(tag);
      this.closedVoidTags.push(tag);
    }
  }

  private endTag(tag: string): void {
    const closedVoid = this.closedVoidTags.indexOf(tag);
    if (closedVoid >= 0) {
      this.closedVoidTags.splice(closedVoid, 1);
      return;
    }
    this.closeTag(tag);
  }

  /** bs4 pops up to the most recent open tag of that name; an end tag nothing matches is ignored. */
  private closeTag(tag: string): void {
    const index = this.openTags.lastIndexOf(tag);
    if (index >= 0) {
      this.openTags.length = index;
    }
  }

  private parseEndTag(raw: string, i: number): number {
    const greaterThan = raw.indexOf('>', i + 1);
    if (greaterThan < 0) {
      return -1;
    }
    const gtPos = greaterThan + 1;
    const match = execAt(endTagFind, raw, i);
    if (!match) {
      if (this.rawText) {
        this.data(raw.slice(i, gtPos));
        return gtPos;
      }
      const name = execAt(tagFindTolerant, raw, i + 2);
      if (!name) {
        return raw.startsWith('</>', i) ? i + 3 : bogusCommentEnd(raw, i);
      }
      this.endTag(name[1].toLowerCase());
      return raw.indexOf('>', i + 2 + name[0].length) + 1;
    }
    const element = match[1].toLowerCase();
    if (this.rawText && element !== this.rawText.element) {
      this.data(raw.slice(i, gtPos));
      return gtPos;
    }
    this.endTag(element);
    this.rawText = null;
    return gtPos;
  }


  /** `<!DOCTYPE …>`, `<![CDATA[…]]>` and other marked sections, and `<!…>` bogus comments. */
  private parseDeclaration(raw: string, i: number): number {
    if (raw.startsWith('<!--', i)) {
      return commentEnd(raw, i);
    }
    if (raw.startsWith('<![', i)) {
      return this.parseMarkedSection(raw, i);
    }
    if (raw.slice(i, i + 9).toLowerCase() === '<!doctype') {
      const close = raw.indexOf('>', i + 9);
      return close < 0 ? -1 : close + 1;
    }
    return bogusCommentEnd(raw, i);
  }

  private parseMarkedSection(raw: string, i: number): number {
    const name = execAt(declarationName, raw, i + 3);
    if (!name) {
      if (i + 3 >= raw.length) {
        return -1;
      }
      throw new UnsupportedMarkupError(unreadableSection(raw, i));
    }
    if (i + 3 + name[0].length >= raw.length) {
      return -1;
    }
    const keyword = pyStrip(name[0]).toLowerCase();
    const sectionKeywords = ['temp', 'cdata', 'ignore', 'include', 'rcdata'];
    const conditionalKeywords = ['if', 'else', 'endif'];
    const close = sectionKeywords.includes(keyword)
      ? execAt(new RegExp(`\\]${PY_SPACE}*\\]${PY_SPACE}*>`, 'gu'), raw, i + 3)
      : conditionalKeywords.includes(keyword)
        ? execAt(new RegExp(`\\]${PY_SPACE}*>`, 'gu'), raw, i + 3)
        : undefined;
    if (close === undefined) {
      throw new UnsupportedMarkupError(unreadableSection(raw, i));
    }
    if (!close) {
      return -1;
    }
    const content = raw.slice(i + 3, close.index);
    // bs4 keeps CDATA as its own string kind, which `.text` includes wherever it sits.
    if (content.toUpperCase().startsWith('CDATA[')) {
      this.text.push(content.slice('CDATA['.length));
    }
    return close.index + close[0].length;
  }
}

function unreadableSection(raw: string, i: number): string {
  return (
    `The prompt contains "${raw.slice(i, i + 16)}…", a "<![" markup section that Open-Sora's caption cleaning ` +
    `(Python's html.parser) cannot read; remove the "<![" or write it differently.`
  );
}

/** html.parser's `check_for_whole_start_tag`: where the start tag at `i` ends, or -1 when it is incomplete. */
function wholeStartTagEnd(raw: string, i: number): number {
  const match = execAt(locateStartTagEnd, raw, i);
  if (!match) {
    throw new Error('html.parser invariant: no start-tag match after "<" and a letter');
  }
  const j = i + match[0].length;
  const next = raw.slice(j, j + 1);
  if (next === '>') {
    return j + 1;
  }
  if (next === '/') {
    if (raw.startsWith('/>', j)) {
      return j + 2;
    }
    return -1;
  }
  if (next === '' || /[a-zA-Z=/]/.test(next)) {
    return -1;
  }
  return j > i ? j : i + 1;
}

/** After a reference: past its ";", or just before the character that ended its name. */
function referenceEnd(raw: string, i: number, matched: string): number {
  const end = i + matched.length;
  return raw[end - 1] === ';' ? end : end - 1;
}

/** `<!--` … `-->` (html.parser also accepts `--` spaces `>`); -1 while unclosed. */
function commentEnd(raw: string, i: number): number {
  const close = execAt(commentClose, raw, i + 4);
  return close ? close.index + close[0].length : -1;
}

function bogusCommentEnd(raw: string, i: number): number {
  const close = raw.indexOf('>', i + 2);
  return close < 0 ? -1 : close + 1;
}

/**
 * bs4's `handle_charref`: a code point below 256 is read as a Windows-1252 byte (Python leaves five bytes
 * undefined there and falls back to the code point itself);
 * past U+10FFFF it is U+FFFD.
 */
function bs4CharRef(name: string): string {
  const codePoint = name.startsWith('x') || name.startsWith('X') ? Number.parseInt(name.slice(1), 16) : Number.parseInt(name, 10);
  if (codePoint < 256) {
    return windows1252Char(codePoint);
  }
  return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\ufffd';
}
