/**
 * Decimal megabytes, as file managers show sizes: two decimals below 10 MB (the built-in model's units are around
 * 1 MB, so "1.19 MB" and "1.10 MB" stay apart), one decimal from 10 MB on ("340.0 MB").
 */
export function formatMegabytes(sizeBytes: number): string {
  return `${(sizeBytes / 1e6).toFixed(sizeBytes < 1e7 ? 2 : 1)} MB`;
}
