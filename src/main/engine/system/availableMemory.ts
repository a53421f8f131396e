import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * Memory the system can give a process now. Linux: os.freemem() is MemAvailable (free plus what the kernel can
 * drop); Windows: the available physical memory. macOS: os.freemem() counts only free pages, which stay low while
 * the file cache and inactive pages hold most of the memory, so it is read from vm_stat: free, inactive,
 * speculative and purgeable pages (what Activity Monitor's "memory pressure" leaves to apps).
 */
export function availableMemoryBytes(): number {
  if (process.platform !== 'darwin') {
    return os.freemem();
  }
  try {
    return parseVmStat(execFileSync('/usr/bin/vm_stat', { encoding: 'utf8', timeout: 2000 })) ?? os.freemem();
  } catch {
    return os.freemem();
  }
}

/** Free + inactive + speculative + purgeable pages × page size from vm_stat's output; null when it does not parse. */
export function parseVmStat(text: string): number | null {
  const pageSize = /page size of (\d+) bytes/.exec(text);
  if (!pageSize) {
    return null;
  }
  const pages = (label: string): number => Number(new RegExp(`^${label}:\\s+(\\d+)\\.?$`, 'm').exec(text)?.[1] ?? 0);
  const total = ['Pages free', 'Pages inactive', 'Pages speculative', 'Pages purgeable'].reduce((sum, label) => sum + pages(label), 0);
  return total * Number(pageSize[1]);
}
