/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: every word quoted (so AND, OR, NEAR,
 * quotes and stars are plain text) and matched as a prefix, all words required. Null when nothing is searchable.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map((word) => word.trim())
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (words.length === 0) {
    return null;
  }
  return words.map((word) => `"${word.replace(/"/g, '""')}"*`).join(' ');
}
