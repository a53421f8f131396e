import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import { checkUnitAgainstSpec } from '../runtime/ort';
import { allManifestUnits } from '@shared/model/manifestUnits';
import { readModelPackage, type ModelPackage } from './modelPackage';
import { findNonFiniteWeights } from './weightsCheck';

/** Packages already checked in this process, keyed by folder and manifest mtime. */
const checked = new Set<string>();

/**
 * Opens every ONNX unit once and compares its inputs/outputs with the manifest, and scans the weights files for NaN
 * and infinities, before any generation. A corrupt file or a mismatch is refused with a message naming the file and
 * tensor. Results are cached per process (the weights scan per file size and mtime).
 */
export async function checkPackageUnits(pkg: ModelPackage): Promise<void> {
  const broken = await findNonFiniteWeights(pkg);
  if (broken.length > 0) {
    throw new StudioError('MODEL_INVALID', `Model package ${pkg.manifest.id} has broken weights: ${broken.join('; ')}.`);
  }
  const key = `${pkg.dir}@${fs.statSync(path.join(pkg.dir, 'manifest.json')).mtimeMs}`;
  if (checked.has(key)) {
    return;
  }
  const problems: string[] = [];
  for (const unit of allManifestUnits(pkg.manifest)) {
    // The weights-size slack for alignment padding is applied once, inside checkUnitAgainstSpec.
    const mismatches = await checkUnitAgainstSpec(unit, pkg.dir);
    problems.push(...mismatches.map((mismatch) => mismatch.message));
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 6).join('; ');
    const more = problems.length > 6 ? ` (and ${problems.length - 6} more)` : '';
    throw new StudioError('MODEL_INVALID', `Model package ${pkg.manifest.id} does not match its manifest: ${shown}${more}.`);
  }
  checked.add(key);
}

/**
 * Everything a package folder must pass before the studio registers it: readModelPackage's checks (schema, files,
 * sizes), then checkPackageUnits. Either failure is MODEL_INVALID, naming the file and the problem.
 */
export async function checkPackageFolder(dir: string): Promise<ModelPackage> {
  let pkg: ModelPackage;
  try {
    pkg = readModelPackage(dir);
  } catch (error) {
    throw new StudioError('MODEL_INVALID', (error as Error).message);
  }
  await checkPackageUnits(pkg);
  return pkg;
}
