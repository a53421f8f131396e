import fs from 'node:fs';
import path from 'node:path';
import { describeFileKind } from '../engine/package/packageFiles';
import { ImportRefused } from './errors';

/** An open regular file: its descriptor and size, fixed when opened. */
export interface OpenFile {
  path: string;
  fd: number;
  sizeBytes: number;
}

/**
 * Opens `file` for reading only when it is a regular file: a FIFO, a device or a folder is refused by name before
 * it is opened (a FIFO would block the read forever). A symbolic link is followed only when it stays inside the
 * file's folder, or leads from a Hugging Face cache snapshot (`models--org--name/snapshots/REV/file`) into the same
 * repository's `blobs/` folder, as every file of a downloaded snapshot does; any other link is refused. The size is
 * taken from the open descriptor, so every later bound uses the file actually read.
 */
export function openRegularFile(file: string, what: string): OpenFile {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    throw new ImportRefused(`${file}: missing (${what})`);
  }
  let target = file;
  if (stat.isSymbolicLink()) {
    target = followedLink(file, what);
    stat = fs.statSync(target);
  }
  if (!stat.isFile()) {
    throw new ImportRefused(`${file}: is ${describeFileKind(stat)}; the importer reads regular files only (${what})`);
  }
  const noFollow = fs.constants.O_NOFOLLOW ?? 0;
  const fd = fs.openSync(target, fs.constants.O_RDONLY | noFollow);
  const opened = fs.fstatSync(fd);
  if (!opened.isFile()) {
    fs.closeSync(fd);
    throw new ImportRefused(`${file}: is ${describeFileKind(opened)}; the importer reads regular files only (${what})`);
  }
  return { path: file, fd, sizeBytes: opened.size };
}

/** Reads exactly `length` bytes at `position`; a short read means the file shrank while importing. */
export function readExactly(file: OpenFile, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(file.fd, buffer, done, length - done, position + done);
    if (n === 0) {
      throw new ImportRefused(`${file.path}: ended at byte ${position + done} while ${length} bytes were read from byte ${position} (the file shrank?)`);
    }
    done += n;
  }
  return buffer;
}

export function closeFile(file: OpenFile): void {
  fs.closeSync(file.fd);
}

/** Reads a small text file (config.json, an index) that must be a regular file of at most maxBytes. */
export function readSmallTextFile(file: string, what: string, maxBytes: number): string {
  const opened = openRegularFile(file, what);
  try {
    if (opened.sizeBytes > maxBytes) {
      throw new ImportRefused(`${file}: ${opened.sizeBytes} bytes, more than the ${maxBytes} a ${what} may have`);
    }
    return readExactly(opened, 0, opened.sizeBytes).toString('utf8');
  } finally {
    closeFile(opened);
  }
}

/** The real path a link leads to, when it stays among the folders the file may come from. */
function followedLink(file: string, what: string): string {
  let target: string;
  try {
    target = fs.realpathSync(file);
  } catch {
    throw new ImportRefused(`${file}: a symbolic link that leads nowhere (${what})`);
  }
  if (!allowedRoots(path.dirname(file)).some((root) => isInside(target, root))) {
    throw new ImportRefused(`${file}: is a symbolic link leaving its folder (${what}); copy the file itself there (e.g. cp -L)`);
  }
  return target;
}

/** The folder itself, plus its repository's blobs/ when the folder is a Hugging Face cache snapshot. */
function allowedRoots(folder: string): string[] {
  const real = fs.realpathSync(folder);
  const roots = [real];
  const snapshots = path.dirname(real);
  if (path.basename(snapshots) === 'snapshots') {
    const blobs = path.join(path.dirname(snapshots), 'blobs');
    if (fs.existsSync(blobs)) {
      roots.push(fs.realpathSync(blobs));
    }
  }
  return roots;
}

function isInside(file: string, folder: string): boolean {
  return file.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}
