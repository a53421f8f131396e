import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import { describeFileKind, isInsideFolder, realFolder } from '../engine/package/packageFiles';

/** One thing to make in the copy: a folder, or a regular file read from `from` (a link inside the package resolved). */
type PlannedEntry = { relative: string; kind: 'folder' } | { relative: string; kind: 'file'; from: string };

/** A package with more entries than this is not a model package (Open-Sora 1.2 with parity fixtures: a few thousand). */
const MAX_ENTRIES = 100_000;

/**
 * Everything a package folder holds, walked with lstat (never following a link out of it): folders, regular files,
 * and links that resolve inside the folder (copied as what they point at). A named pipe, socket or device anywhere in
 * the tree, a link leaving the folder or leading nowhere, and a link back into a folder already walked (a loop) are
 * refused with MODEL_INVALID naming the entry and what it is. Nothing is opened.
 */
export function planPackageCopy(source: string): PlannedEntry[] {
  const root = realFolder(source);
  const refuse = (relative: string, problem: string): StudioError =>
    new StudioError('MODEL_INVALID', `The package folder ${source} cannot be added: ${relative} ${problem}. Nothing was copied.`);
  const plan: PlannedEntry[] = [];
  const walkedFolders = new Set<string>([root]);
  const pending: Array<{ real: string; relative: string }> = [{ real: root, relative: '' }];
  while (pending.length > 0) {
    const folder = pending.pop() as { real: string; relative: string };
    for (const name of fs.readdirSync(folder.real).sort()) {
      const relative = folder.relative ? `${folder.relative}/${name}` : name;
      const entryPath = path.join(folder.real, name);
      let stat = fs.lstatSync(entryPath);
      let real = entryPath;
      if (stat.isSymbolicLink()) {
        let target: string;
        try {
          target = fs.realpathSync(entryPath);
        } catch {
          throw refuse(relative, 'is a symbolic link that leads nowhere');
        }
        if (!isInsideFolder(target, root)) {
          throw refuse(relative, 'is a symbolic link leaving the package folder');
        }
        real = target;
        stat = fs.statSync(target);
      }
      if (stat.isDirectory()) {
        if (walkedFolders.has(real)) {
          throw refuse(relative, 'links back to a folder the package already holds (a loop)');
        }
        walkedFolders.add(real);
        plan.push({ relative, kind: 'folder' });
        pending.push({ real, relative });
      } else if (stat.isFile()) {
        plan.push({ relative, kind: 'file', from: real });
      } else {
        throw refuse(relative, `is ${describeFileKind(stat)}, not a regular file`);
      }
      if (plan.length > MAX_ENTRIES) {
        throw refuse('the folder', `holds more than ${MAX_ENTRIES} files and folders`);
      }
    }
  }
  return plan;
}

/** Makes the planned copy under `target` (which must not exist): regular files only, never a link. */
export async function copyPackage(plan: readonly PlannedEntry[], target: string): Promise<void> {
  await fs.promises.mkdir(target);
  for (const entry of plan) {
    const to = path.join(target, ...entry.relative.split('/'));
    if (entry.kind === 'folder') {
      await fs.promises.mkdir(to);
      continue;
    }
    // Opened without blocking and checked again: a file swapped for a pipe after the plan is refused, not waited on.
    const handle = await fs.promises.open(entry.from, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new StudioError('MODEL_INVALID', `${entry.relative} is ${describeFileKind(stat)}, not a regular file. Nothing was copied.`);
      }
    } finally {
      await handle.close();
    }
    await fs.promises.copyFile(entry.from, to, fs.constants.COPYFILE_EXCL);
  }
}
