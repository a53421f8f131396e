import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * Physical CPU cores: the engine's intra-op thread count per session, and the bench's PyTorch side's. Linux:
 * distinct (physical id, core id) pairs of /proc/cpuinfo; macOS: the performance cores (hw.perflevel0.physicalcpu,
 * Apple silicon; ORT splits a product into equal parts, so a part on an efficiency core would hold up the rest), or
 * hw.physicalcpu; elsewhere, or when those cannot be read, the logical count.
 */
export function physicalCoreCount(cpuinfo?: string): number {
  if (cpuinfo !== undefined || process.platform === 'linux') {
    const text = cpuinfo ?? readOrEmpty('/proc/cpuinfo');
    const cores = new Set<string>();
    for (const block of text.split(/\n\s*\n/)) {
      const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
      const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
      if (physical !== undefined && core !== undefined) {
        cores.add(`${physical}:${core}`);
      }
    }
    if (cores.size > 0) {
      return cores.size;
    }
  } else if (process.platform === 'darwin') {
    for (const key of ['hw.perflevel0.physicalcpu', 'hw.physicalcpu']) {
      const count = sysctlNumber(key);
      if (count !== null) {
        return count;
      }
    }
  }
  return os.availableParallelism();
}

let engineThreads: number | null = null;

/**
 * The intra-op threads every engine session gets: one per physical core, set explicitly. ORT's own default is its
 * cpuinfo core count, or hardware threads / 2 where that probe is compiled out (macOS) or fails (measured on a
 * 2-vCPU EPYC VM with onnxruntime-node 1.30: no pool thread at all, so every product ran on one of the two cores).
 */
export function engineThreadCount(): number {
  engineThreads ??= physicalCoreCount();
  return engineThreads;
}

function sysctlNumber(key: string): number | null {
  try {
    const count = Number(execFileSync('sysctl', ['-n', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(count) && count > 0 ? count : null;
  } catch {
    return null;
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
