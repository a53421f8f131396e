import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * Physical CPU cores: the thread count onnxruntime's CPU pool defaults to (the engine sets none), which the
 * PyTorch side of the bench is given too. Linux: distinct (physical id, core id) pairs of /proc/cpuinfo; macOS:
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
    const count = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8' }).trim());
    if (Number.isInteger(count) && count > 0) {
      return count;
    }
  }
  return os.availableParallelism();
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
