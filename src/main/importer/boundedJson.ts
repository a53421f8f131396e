import { ImportRefused } from './errors';

export interface JsonLimits {
  /** Largest text accepted, in bytes. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
}

/**
 * JSON.parse behind two bounds checked first, in one pass over the text: its size, and how deeply it nests (a
 * 100,000-deep header would otherwise cost the parser's recursion). `what` says which part of `file` it is.
 */
export function parseBoundedJson(text: string, file: string, what: string, limits: JsonLimits): unknown {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new ImportRefused(`${file}: ${what} is larger than ${limits.maxBytes} bytes`);
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++; // the escaped character cannot end the string
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.maxDepth) {
        throw new ImportRefused(`${file}: ${what} nests deeper than ${limits.maxDepth} levels; not a checkpoint file`);
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ImportRefused(`${file}: ${what} is not valid JSON (${(error as Error).message})`);
  }
}
