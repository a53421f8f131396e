import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A real small file system for disk-full and read-only cases: a tmpfs of `sizeBytes` mounted on a fresh folder.
 * Needs root (or CAP_SYS_ADMIN) and mount(8); a machine without them fails the test with this message, never skips it.
 */
export interface TinyFilesystem {
  dir: string;
  /** Remounts it read-only (EROFS for every write). */
  makeReadOnly(): void;
  unmount(): void;
}

export function mountTinyFilesystem(sizeBytes: number): TinyFilesystem {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-tinyfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
    throw new Error(`These disk-full and read-only tests mount a small tmpfs and need root with mount(8): ${stderr}`, { cause: error });
  }
  return {
    dir,
    makeReadOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
