import { z } from 'zod';

/**
 * How much memory a generation may keep in model weights: 'all' (every unit resident), 'min' (the least that runs,
 * every unit streamed) or a size in bytes. The one definition: requests, the memory plan, the CLI and the composer
 * all use this schema and its type.
 */
export const memoryBudgetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('min') }),
  z.object({ kind: z.literal('bytes'), bytes: z.number().int().positive() }),
]);
export type MemoryBudget = z.infer<typeof memoryBudgetSchema>;

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  k: 1e3,
  m: 1e6,
  g: 1e9,
};

/** Parses a budget as the user types it: "all", "min", or a size such as "300MB", "1.5GB", "512MiB", "2e8". */
export function parseMemoryBudget(text: string): MemoryBudget {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'all') {
    return { kind: 'all' };
  }
  if (trimmed === 'min') {
    return { kind: 'min' };
  }
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)$/.exec(trimmed);
  const unit = match ? UNIT_BYTES[match[2] || 'b'] : undefined;
  if (!match || unit === undefined) {
    throw new RangeError(`Memory budget "${text}" is not understood: use "all", "min" or a size such as 300MB or 1.5GB.`);
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new RangeError(`Memory budget "${text}" must be more than 0 bytes.`);
  }
  return { kind: 'bytes', bytes };
}
