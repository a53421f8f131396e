import fs from 'node:fs';
import { firstNonFinite } from '../pipeline/numericCheck';
import { allManifestUnits } from '@shared/model/manifestUnits';
import { weightsPrecisionOf } from '@shared/model/manifest';
import type { ModelPackage } from './modelPackage';
import { openFolderFile, realFolder, requireFolderFile } from './packageFiles';

/** Bytes read at a time (a multiple of 4): memory stays flat whatever the file's size. */
const CHUNK_BYTES = 16 * 1024 * 1024;

/** Files already scanned, keyed by path, size and mtime: a file is read again only when it changed. */
const scanned = new Map<string, string | null>();

/**
 * Scans every weights file of a package for NaN and ±Infinity (models/FORMAT.md: weights files hold float32
 * tensors, or float16 in a package whose manifest says `weightsPrecision: "fp16"`, so the file is read as that type throughout). One sequential read per file, cached by size and mtime, so
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
  const precision = weightsPrecisionOf(pkg.manifest);
  for (const relative of files) {
    const problem = await scanFile(pkg.dir, relative, precision);
    if (problem) {
      problems.push(problem);
    }
  }
  return problems;
}

async function scanFile(packageDir: string, relative: string, precision: 'fp16' | 'fp32'): Promise<string | null> {
  const folder = realFolder(packageDir);
  // Checked and opened as a regular file inside the package: a pipe or a link out of it is refused, not waited on.
  const checked = requireFolderFile(folder, relative, 'weights');
  const stat = await fs.promises.stat(checked.path);
  const key = `${checked.path}:${stat.size}:${stat.mtimeMs}:${precision}`;
  const cached = scanned.get(key);
  if (cached !== undefined) {
    return cached;
  }
  const { handle } = await openFolderFile(folder, relative, 'weights');
  const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(4, stat.size)));
  let problem: string | null = null;
  try {
    let offset = 0;
    const elementBytes = precision === 'fp16' ? 2 : 4;
    while (offset + elementBytes <= stat.size && !problem) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      const usable = bytesRead - (bytesRead % elementBytes);
      if (usable === 0) {
        break;
      }
      const bad = precision === 'fp16' ? firstNonFiniteHalf(buffer, usable) : firstNonFiniteFloat(buffer, usable);
      if (bad) {
        problem = `weights file ${relative} holds ${bad.kind} (first at byte ${offset + bad.byteOffset}); the package is broken, export it again`;
      }
      offset += usable;
    }
  } finally {
    await handle.close();
  }
  scanned.set(key, problem);
  return problem;
}

interface NonFinite {
  kind: 'NaN' | 'an infinite value';
  byteOffset: number;
}

function firstNonFiniteFloat(buffer: Buffer, usable: number): NonFinite | null {
  const values = new Float32Array(buffer.buffer, buffer.byteOffset, usable / 4);
  const index = firstNonFinite(values);
  return index < 0 ? null : { kind: Number.isNaN(values[index]) ? 'NaN' : 'an infinite value', byteOffset: index * 4 };
}

/** IEEE binary16: exponent bits all set is ±Infinity (mantissa 0) or NaN. */
function firstNonFiniteHalf(buffer: Buffer, usable: number): NonFinite | null {
  const halves = new Uint16Array(buffer.buffer, buffer.byteOffset, usable / 2);
  for (let i = 0; i < halves.length; i++) {
    if ((halves[i] & 0x7c00) === 0x7c00) {
      return { kind: halves[i] & 0x03ff ? 'NaN' : 'an infinite value', byteOffset: i * 2 };
    }
  }
  return null;
}
