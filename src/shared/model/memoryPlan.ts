/**
 * Memory plan for one pass over an ordered list of units (CI-DL's "DL" half). Pure.
 *
 * The rule (docs/techniques.md §CI-DL and decision D6: an explicit budget over units of different sizes, decided once,
 * not re-measured per step):
 *   - A streamed unit is loaded while its predecessor runs and released right after it runs, so at most two
 *     consecutive streamed units are loaded at once: streamedPeak(k) = max over k ≤ i < n−1 of (u_i + u_{i+1})
 *     (or u_{n−1} alone when only the last unit is streamed; 0 when none is).
 *   - A resident PREFIX of k units stays loaded across passes. While the last prefix unit runs, unit k is being
 *     prefetched, which streamedPeak(k) already covers.
 *   - need(k) = reserveBytes + prefixBytes(k) + streamedPeak(k).
 *   - K = the largest k with need(k) ≤ budget. need(0) is the minimum working set; a budget below it is refused.
 *   - Budget kinds: 'all' keeps every unit resident (K = n, the non-streaming reference); 'min' streams every unit
 *     (K = 0) with a budget of exactly the minimum working set; 'bytes' applies the rule above.
 * `reserveBytes` is memory the pass needs outside the sessions (activations, fixed parts); every figure includes it.
 */

import type { MemoryBudget } from '../domain/memoryBudget';
import { formatMegabytes } from '../util/bytes';

export type { MemoryBudget };

/**
 * What a loaded ONNX session holds besides its weights (the graph, its kernels, the allocation plan). Measured on
 * onnxruntime-node 1.30's CPU EP: 2.3–2.5 MB of RSS per STDiT3 block-pair session beyond its weights file (the
 * measured-memory test's package, hidden 512), about the same at any width since it follows the graph's nodes.
 * Counted per loaded unit, so that a budget holds in measured RSS and not only in weight bytes.
 * It also covers the engine's transparent huge pages on Linux (docs/runtime-notes.md §Memory given back after
 * release): streamed at the smallest budget, that package peaks 88.6 MB above the baseline with them and 80.5 MB
 * without (medians of 8 and 5 runs), i.e. (88.6 − two 33.6 MB units − 14.9 MB of activation estimate) / 2 =
 * 3.2 MB per loaded unit all told; the highest of 16 runs, on a loaded machine, came to 3.8 MB. 5 MiB keeps the
 * promise (peak RSS ≤ budget + baseline) with about 1 MB per loaded unit to spare for that spread.
 */
export const SESSION_OVERHEAD_BYTES = 5 * 1024 * 1024;

/** The bytes a unit is budgeted at while loaded: its weights in memory plus a session's own overhead. */
export function loadedUnitBytes(weightsBytes: number): number {
  return weightsBytes + SESSION_OVERHEAD_BYTES;
}

export interface PlannedUnit {
  readonly id: string;
  readonly sizeBytes: number;
}

export interface MemoryPlanOptions {
  /** Bytes needed besides the sessions' weights (activations, fixed parts). Default 0. */
  readonly reserveBytes?: number;
}

export interface MemoryPlan {
  readonly budget: MemoryBudget;
  /** The budget in bytes, reserve included (for 'all' and 'min', what they resolve to). */
  readonly budgetBytes: number;
  readonly reserveBytes: number;
  /** K: units 0..K−1 stay loaded across passes. */
  readonly residentCount: number;
  readonly residentUnitIds: readonly string[];
  readonly streamedUnitIds: readonly string[];
  /** Weights of the resident prefix. */
  readonly residentPrefixBytes: number;
  readonly totalBytes: number;
  /** need(0): reserve + the largest pair of consecutive units, the least budget that can run the pass. */
  readonly minWorkingSetBytes: number;
  /** need(K): the most this plan expects to have loaded at once, reserve included. */
  readonly peakResidentBytes: number;
  /** peakResidentBytes without the reserve: what the streamer's session accounting should peak at. */
  readonly peakSessionBytes: number;
}

export class MemoryBudgetError extends Error {
  override readonly name = 'MemoryBudgetError';
  readonly code = 'E_BUDGET_TOO_SMALL';
  constructor(
    readonly budgetBytes: number,
    readonly minimumBytes: number,
  ) {
    super(
      `memory budget ${budgetBytes} bytes (${formatMegabytes(budgetBytes)}) is below the minimum working set of ` +
        `${minimumBytes} bytes (${formatMegabytes(minimumBytes)}): the two largest consecutive units must fit at once`,
    );
  }
}

function streamedPeakBytes(sizes: readonly number[], firstStreamed: number): number {
  const n = sizes.length;
  if (firstStreamed >= n) {
    return 0;
  }
  if (firstStreamed === n - 1) {
    return sizes[n - 1];
  }
  let peak = 0;
  for (let i = firstStreamed; i < n - 1; i++) {
    peak = Math.max(peak, sizes[i] + sizes[i + 1]);
  }
  return peak;
}

/** need(k) for k = 0..n (see the module comment), without the reserve. */
function sessionNeedByPrefix(sizes: readonly number[]): number[] {
  const need: number[] = [];
  let prefixBytes = 0;
  for (let k = 0; k <= sizes.length; k++) {
    need.push(prefixBytes + streamedPeakBytes(sizes, k));
    if (k < sizes.length) {
      prefixBytes += sizes[k];
    }
  }
  return need;
}

export function planMemory(units: readonly PlannedUnit[], budget: MemoryBudget, options: MemoryPlanOptions = {}): MemoryPlan {
  const reserveBytes = options.reserveBytes ?? 0;
  if (!Number.isFinite(reserveBytes) || reserveBytes < 0) {
    throw new RangeError(`reserveBytes must be a finite non-negative number, got ${reserveBytes}`);
  }
  for (const unit of units) {
    if (!Number.isFinite(unit.sizeBytes) || unit.sizeBytes < 0) {
      throw new RangeError(`unit ${unit.id}: sizeBytes must be finite and non-negative, got ${unit.sizeBytes}`);
    }
  }
  const sizes = units.map((unit) => unit.sizeBytes);
  const need = sessionNeedByPrefix(sizes);
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  const minWorkingSetBytes = reserveBytes + need[0];

  let residentCount: number;
  let budgetBytes: number;
  switch (budget.kind) {
    case 'all':
      residentCount = units.length;
      budgetBytes = reserveBytes + totalBytes;
      break;
    case 'min':
      residentCount = 0;
      budgetBytes = minWorkingSetBytes;
      break;
    case 'bytes': {
      if (!Number.isFinite(budget.bytes) || budget.bytes < 0) {
        throw new RangeError(`budget bytes must be a finite non-negative number, got ${budget.bytes}`);
      }
      if (budget.bytes < minWorkingSetBytes) {
        throw new MemoryBudgetError(budget.bytes, minWorkingSetBytes);
      }
      budgetBytes = budget.bytes;
      residentCount = 0;
      // need(k) never decreases with k (moving unit k into the prefix adds u_k and removes at most one pair member),
      // but it is often flat, so take the LARGEST fitting k: more residents at the same peak.
      for (let k = units.length; k >= 0; k--) {
        if (reserveBytes + need[k] <= budgetBytes) {
          residentCount = k;
          break;
        }
      }
      break;
    }
  }

  const peakSessionBytes = need[residentCount];
  return {
    budget,
    budgetBytes,
    reserveBytes,
    residentCount,
    residentUnitIds: units.slice(0, residentCount).map((unit) => unit.id),
    streamedUnitIds: units.slice(residentCount).map((unit) => unit.id),
    residentPrefixBytes: sizes.slice(0, residentCount).reduce((sum, size) => sum + size, 0),
    totalBytes,
    minWorkingSetBytes,
    peakResidentBytes: reserveBytes + peakSessionBytes,
    peakSessionBytes,
  };
}
