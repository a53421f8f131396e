/** Deepest params nesting a call may have; the contract's deepest schema needs a handful of levels. */
export const MAX_PARAMS_DEPTH = 32;

/** True when a parsed JSON value nests deeper than maxDepth (iterative: safe on any depth). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    if (depth >= maxDepth) {
      return true;
    }
    for (const child of Object.values(item)) {
      stack.push([child, depth + 1]);
    }
  }
  return false;
}
