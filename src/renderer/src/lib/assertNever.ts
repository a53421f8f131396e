/** Ends an exhaustive switch over a tagged union: a new member fails the typecheck here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
