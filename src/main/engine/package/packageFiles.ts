import fs from 'node:fs';
import path from 'node:path';
import { ModelPackageError } from './modelPackageError';

/**
 * Files of a package (or any folder the user hands the studio) are opened as regular files inside that folder:
 * each path is walked with lstat first, so a named pipe (whose open() blocks until a writer comes), a socket or a
 * device is refused before anything opens it, and a symbolic link is followed only while it stays inside the folder.
 * Refusals are ModelPackageError naming the file and what it is, never its contents.
 */

/** What a non-regular directory entry is, in words. */
export function describeFileKind(stat: fs.Stats): string {
  if (stat.isFIFO()) {
    return 'a named pipe (FIFO)';
  }
  if (stat.isSocket()) {
    return 'a socket';
  }
  if (stat.isCharacterDevice() || stat.isBlockDevice()) {
    return 'a device';
  }
  if (stat.isDirectory()) {
    return 'a folder';
  }
  if (stat.isSymbolicLink()) {
    return 'a symbolic link';
  }
  return 'not a regular file';
}

/** Whether `child` is `parent` or lies inside it (both resolved). */
export function isInsideFolder(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The folder's real path (a folder given through a link is fine: what matters is what lies inside it). */
export function realFolder(dir: string): string {
  return fs.realpathSync(path.resolve(dir));
}

export interface PackageFile {
  /** The file's real path (links inside the folder resolved). */
  path: string;
  sizeBytes: number;
}

/**
 * Checks `relative` inside `folder` (a real path, see realFolder): every component is lstat'ed; a link must resolve
 * inside the folder; the file must be regular. Returns null for a missing file, else the file; throws for anything
 * else. `what` names the file's role in messages ("unit text.embed weights").
 */
export function checkFolderFile(folder: string, relative: string, what: string): PackageFile | null {
  const full = path.resolve(folder, relative);
  if (!isInsideFolder(full, folder) || full === folder) {
    throw new ModelPackageError(`${what} path ${relative} leaves the package folder`, full);
  }
  let current = folder;
  for (const part of path.relative(folder, full).split(path.sep)) {
    current = path.join(current, part);
    const stat = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!stat) {
      return null;
    }
    if (stat.isSymbolicLink()) {
      const target = realTarget(current);
      if (target === null) {
        throw new ModelPackageError(`${what} file ${relative} is a symbolic link that leads nowhere (${shown(folder, current)})`, current);
      }
      if (!isInsideFolder(target, folder)) {
        throw new ModelPackageError(`${what} file ${relative} is a symbolic link leaving the package folder (${shown(folder, current)} points outside it)`, current);
      }
    }
  }
  const stat = fs.statSync(full);
  if (!stat.isFile()) {
    throw new ModelPackageError(`${what} file ${relative} is ${describeFileKind(stat)}, not a regular file`, full);
  }
  return { path: fs.realpathSync(full), sizeBytes: stat.size };
}

/** checkFolderFile for a file that must exist. */
export function requireFolderFile(folder: string, relative: string, what: string): PackageFile {
  const file = checkFolderFile(folder, relative, what);
  if (!file) {
    throw new ModelPackageError(`${what} file ${relative} is missing`, path.resolve(folder, relative));
  }
  return file;
}

/**
 * Reads a checked file whole, refusing one over `maxBytes`. The open is non-blocking and the opened descriptor is
 * checked again (a file swapped for a pipe between the check and the open is still refused, not waited on).
 */
export function readFolderFile(folder: string, relative: string, what: string, maxBytes: number): Buffer {
  const file = requireFolderFile(folder, relative, what);
  if (file.sizeBytes > maxBytes) {
    throw new ModelPackageError(`${what} file ${relative} has ${file.sizeBytes} bytes, more than the ${maxBytes} such a file may have`, file.path);
  }
  const fd = fs.openSync(file.path, NONBLOCKING_READ);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new ModelPackageError(`${what} file ${relative} is ${describeFileKind(stat)}, not a regular file`, file.path);
    }
    const bytes = Buffer.alloc(Math.min(stat.size, maxBytes));
    let offset = 0;
    while (offset < bytes.length) {
      const read = fs.readSync(fd, bytes, offset, bytes.length - offset, offset);
      if (read === 0) {
        break;
      }
      offset += read;
    }
    return bytes.subarray(0, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/** An async handle on a checked file (for files read in chunks), opened as readFolderFile opens. */
export async function openFolderFile(folder: string, relative: string, what: string): Promise<{ handle: fs.promises.FileHandle; sizeBytes: number }> {
  const file = requireFolderFile(folder, relative, what);
  const handle = await fs.promises.open(file.path, NONBLOCKING_READ);
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new ModelPackageError(`${what} file ${relative} is ${describeFileKind(stat)}, not a regular file`, file.path);
  }
  return { handle, sizeBytes: stat.size };
}

/** O_NONBLOCK where the platform has it: opening a pipe then returns at once instead of waiting for a writer. */
const NONBLOCKING_READ = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

function realTarget(link: string): string | null {
  try {
    return fs.realpathSync(link);
  } catch {
    return null;
  }
}

function shown(folder: string, file: string): string {
  return path.relative(folder, file) || path.basename(file);
}
