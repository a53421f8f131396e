import fs from 'node:fs';
import path from 'node:path';

/**
 * The importer builds a package in a hidden sibling of its folder, `.<name>.importing-XXXXXX`, and renames it when
 * complete. A parent that kills the importer mid-way removes what it left under that name.
 */
export function partialPackagePrefix(outDir: string): string {
  return `.${path.basename(outDir)}.importing-`;
}

/** The partial packages for outDir that exist now (absolute paths). */
export function listPartialPackages(outDir: string): string[] {
  const parent = path.dirname(path.resolve(outDir));
  const prefix = partialPackagePrefix(outDir);
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.startsWith(prefix)).map((entry) => path.join(parent, entry));
}
