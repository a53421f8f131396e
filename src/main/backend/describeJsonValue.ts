/** A short, bounded description of a value for an error message (never the value's whole text). */
export function describeJsonValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  }
  if (value === null || typeof value !== 'object') {
    return String(value);
  }
  return Array.isArray(value) ? '(an array; a method name is a string)' : '(an object; a method name is a string)';
}
