import fs from 'node:fs';
import { firstNonFinite } from '../pipeline/numericCheck';
import { allManifestUnits } from '@shared/model/manifestUnits';
import type { ModelPackage } from './modelPackage';
import { openFolderFile, realFolder, requireFolderFile } from './packageFiles';

/** Bytes read at a time (a multiple of 4): memory stays flat whatever the file's size. */
const CHUNK_BYTES = 16 * 1024 * 1024;

/** Files already scanned, keyed by path, size and mtime: a file is read again only when it changed. */
const scanned = new Map<string, string | null>();

/**
 * Scans every weights file of a package for NaN and ±Infinity (models/FORMAT.md: weights files hold float32
 * tensors, so the file is read as float32 throughout). One sequential read per file, cached by size and mtime, so
 * the cost is paid when a package is first used (about a second per GB on one core, plus the disk read) and not again. Returns one
 * problem per broken file, naming it and the first bad value's byte offset.
 */
export async function findNonFiniteWeights(pkg: ModelPackage): Promise<string[]> {
  const files = new Set<string>();
  for (const unit of allManifestUnits(pkg.manifest)) {
    if (unit.weightsFile) {
      files.add(unit.weightsFile);
    }
  }
  const problems: string[] = [];
  for (const relative of files) {
    const problem = await scanFile(pkg.dir, relative);
    if (problem) {
      problems.push(problem);
    }
  }
  return problems;
}

async function scanFile(packageDir: string, relative: string): Promise<string | null> {
  const folder = realFolder(packageDir);
  // Checked and opened as a regular file inside the package: a pipe or a link out of it is refused, not waited on.
  const checked = requireFolderFile(folder, relative, 'weights');
  const stat = await fs.promises.stat(checked.path);
  const key = `${checked.path}:${stat.size}:${stat.mtimeMs}`;
  const cached = scanned.get(key);
  if (cached !== undefined) {
    return cached;
  }
  const { handle } = await openFolderFile(folder, relative, 'weights');
  const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(4, stat.size)));
  let problem: string | null = null;
  try {
    let offset = 0;
    while (offset + 4 <= stat.size && !problem) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      const usable = bytesRead - (bytesRead % 4);
      if (usable === 0) {
        break;
      }
      const values = new Float32Array(buffer.buffer, buffer.byteOffset, usable / 4);
      const index = firstNonFinite(values);
      if (index >= 0) {
        const kind = Number.isNaN(values[index]) ? 'NaN' : 'an infinite value';
        problem = `weights file ${relative} holds ${kind} (first at byte ${offset + index * 4}); the package is broken, export it again`;
      }
      offset += usable;
    }
  } finally {
    await handle.close();
  }
  scanned.set(key, problem);
  return problem;
}
