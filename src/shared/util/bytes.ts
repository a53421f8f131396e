/** Memory budget as the user gives it: "all", "min", or a size such as "300MB", "1.5GB", "512MiB", "2e8". */
export type MemoryBudget = { kind: 'all' } | { kind: 'min' } | { kind: 'bytes'; bytes: number };

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

export function formatMemoryBudget(budget: MemoryBudget): string {
  return budget.kind === 'bytes' ? formatMegabytes(budget.bytes) : budget.kind;
}

/** Decimal megabytes with one decimal, as file managers show sizes. */
export function formatMegabytes(sizeBytes: number): string {
  return `${(sizeBytes / 1e6).toFixed(sizeBytes < 1e7 ? 2 : 1)} MB`;
}
