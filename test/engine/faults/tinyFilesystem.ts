import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

/**
 * A real small file system for disk-full and read-only cases, made without root:
 * - Linux: a tmpfs mounted inside an unprivileged user + mount namespace (`unshare -Urm`). A shell stays in that
 *   namespace to hold the mount; the test reaches it through `/proc/<pid>/root`, which resolves paths in that
 *   process's mount namespace.
 * - macOS: a RAM disk (`hdiutil attach -nomount ram://…`, `newfs_hfs`, `diskutil mount`), with a ballast file so
 *   the free space is what was asked for (HFS+ has a floor size and its own overhead).
 * Where neither can be made the test fails with the reasons, never skips.
 */
export interface TinyFilesystem {
  /** The mounted folder as this process sees it. */
  dir: string;
  /** Remounts it read-only (EROFS for every write). */
  makeReadOnly(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountTinyFilesystem(sizeBytes: number): Promise<TinyFilesystem> {
  if (process.platform === 'linux') {
    return mountInNamespace(sizeBytes);
  }
  if (process.platform === 'darwin') {
    return mountRamDisk(sizeBytes);
  }
  throw new Error(`These disk-full and read-only tests need a small real file system: made with unshare(1) on Linux or hdiutil(1) on macOS, neither of which exists on ${process.platform}.`);
}

// Runs inside the namespace: mounts, says so, then serves "ro" requests until its stdin closes (which ends the
// namespace and with it the mount).
const NAMESPACE_SCRIPT = `mount -t tmpfs -o "size=$2,mode=0700" tmpfs "$1" || exit 3
echo mounted
while read -r request; do
  if [ "$request" = ro ]; then
    # The mount point read-only (a superblock remount is refused in a user namespace on some kernels).
    if mount -o remount,bind,ro "$1" 1>&2; then echo ro-done; else echo ro-failed; fi
  fi
done`;

async function mountInNamespace(sizeBytes: number): Promise<TinyFilesystem> {
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-tinyfs-'));
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', hostDir, String(sizeBytes)]);
  } catch (error) {
    fs.rmSync(hostDir, { recursive: true, force: true });
    throw namespaceError((error as Error).message);
  }
  const lines = lineReader(child);
  const first = await lines.next();
  if (first !== 'mounted') {
    fs.rmSync(hostDir, { recursive: true, force: true });
    throw namespaceError(lines.stderr() || `unshare ended (${first ?? 'no output'})`);
  }
  const dir = `/proc/${child.pid}/root${hostDir}`;
  return {
    dir,
    makeReadOnly: async () => {
      child.stdin.write('ro\n');
      const answer = await lines.next();
      if (answer !== 'ro-done') {
        throw new Error(`Could not remount ${dir} read-only: ${answer ?? lines.stderr()}`);
      }
    },
    unmount: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) {
        await exited;
      }
      fs.rmSync(hostDir, { recursive: true, force: true });
    },
  };
}

function namespaceError(reason: string): Error {
  return new Error(
    `These disk-full and read-only tests mount a small tmpfs in an unprivileged user and mount namespace (unshare -Urm), which failed here: ${reason.trim()}. ` +
      'Install util-linux (unshare) and enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0, or the AppArmor restriction kernel.apparmor_restrict_unprivileged_userns=0).',
  );
}

/** The child's stdout one line at a time (undefined once it has ended), and what it said on stderr. */
function lineReader(child: ChildProcessWithoutNullStreams): { next(): Promise<string | undefined>; stderr(): string } {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const queued: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  const finish = (): void => {
    ended = true;
    waiting.splice(0).forEach((resolve) => resolve(undefined));
  };
  readline.createInterface({ input: child.stdout }).on('line', (line) => (waiting.length > 0 ? waiting.shift()?.(line) : queued.push(line)));
  child.on('close', finish);
  child.on('error', (error) => {
    stderr += error.message;
    finish();
  });
  return {
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()) : ended ? Promise.resolve(undefined) : new Promise((resolve) => waiting.push(resolve))),
    stderr: () => stderr,
  };
}

const SECTOR_BYTES = 512;
/** HFS+ refuses very small volumes; the disk is at least this big and a ballast file takes the excess. */
const RAM_DISK_FLOOR_BYTES = 8 * 1024 * 1024;

async function mountRamDisk(sizeBytes: number): Promise<TinyFilesystem> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-tinyfs-'));
  const run = (command: string, args: string[]): string => execFileSync(command, args, { stdio: 'pipe', encoding: 'utf8' }).trim();
  let device: string | undefined;
  try {
    const sectors = Math.ceil(Math.max(sizeBytes, RAM_DISK_FLOOR_BYTES) / SECTOR_BYTES);
    device = run('hdiutil', ['attach', '-nomount', `ram://${sectors}`]);
    run('newfs_hfs', ['-v', 'studio-tinyfs', device]);
    run('diskutil', ['mount', '-mountPoint', dir, device]);
    fillToFreeBytes(dir, sizeBytes);
  } catch (error) {
    if (device) {
      execFileSync('hdiutil', ['detach', '-force', device], { stdio: 'ignore' });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim() || (error as Error).message;
    throw new Error(`These disk-full and read-only tests make a small RAM disk (hdiutil, newfs_hfs, diskutil), which failed: ${stderr}`, { cause: error });
  }
  const attached = device;
  return {
    dir,
    makeReadOnly: async () => {
      run('diskutil', ['unmount', dir]);
      run('diskutil', ['mount', 'readOnly', '-mountPoint', dir, attached]);
    },
    unmount: async () => {
      run('hdiutil', ['detach', '-force', attached]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a hidden ballast file so that about `freeBytes` stay free on the file system of `dir`. */
function fillToFreeBytes(dir: string, freeBytes: number): void {
  const stats = fs.statfsSync(dir);
  const excess = stats.bavail * stats.bsize - freeBytes;
  if (excess > 0) {
    const ballast = fs.openSync(path.join(dir, '.ballast'), 'w');
    try {
      const chunk = Buffer.alloc(64 * 1024);
      for (let left = excess; left > 0; left -= chunk.length) {
        fs.writeSync(ballast, chunk, 0, Math.min(chunk.length, left));
      }
    } finally {
      fs.closeSync(ballast);
    }
  }
}
