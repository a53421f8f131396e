import fs from 'node:fs';
import path from 'node:path';
import { currentHostFacts, dataFolder, legacyDataRoots, studioDataRoot, type DataFolder, type HostFacts } from './dataFolder';

const DATABASE_FILE = 'studio.db';

/**
 * Moves the data of an earlier version's folder (see legacyDataRoots) into `root`, once: only when `root` has no
 * database yet and an old folder has one. Entries already in `root` (Electron's own caches) stay; the old folder
 * is removed when it ends up empty. Returns the folder moved from, or null. `log` gets one line saying so.
 */
export function adoptLegacyDataFolder(root: string, options: { facts?: HostFacts; log: (line: string) => void }): string | null {
  const facts = options.facts ?? currentHostFacts();
  if (fs.existsSync(path.join(root, DATABASE_FILE))) {
    return null;
  }
  const legacy = legacyDataRoots(facts).find((dir) => path.resolve(dir) !== path.resolve(root) && fs.existsSync(path.join(dir, DATABASE_FILE)));
  if (!legacy) {
    return null;
  }
  fs.mkdirSync(root, { recursive: true });
  for (const name of fs.readdirSync(legacy)) {
    const target = path.join(root, name);
    if (!fs.existsSync(target)) {
      moveEntry(path.join(legacy, name), target);
    }
  }
  if (fs.readdirSync(legacy).length === 0) {
    fs.rmdirSync(legacy);
  }
  options.log(`Moved the studio's data from ${legacy} to ${root} (its new place, shared by the window, browser mode and the CLIs).`);
  return legacy;
}

function moveEntry(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') {
      throw error;
    }
    // Another disk: copy, then remove the original only once the copy is complete.
    fs.cpSync(from, to, { recursive: true, errorOnExist: true, force: false });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/**
 * The data folder every entry point opens: STUDIO_DATA_DIR, else the userData folder; an earlier version's folder is
 * moved there first (not when STUDIO_DATA_DIR names the folder: that choice is the user's).
 */
export function openDataFolder(options: { facts?: HostFacts; log?: (line: string) => void } = {}): DataFolder {
  const facts = options.facts ?? currentHostFacts();
  const root = studioDataRoot(facts);
  if (!facts.env.STUDIO_DATA_DIR) {
    adoptLegacyDataFolder(root, { facts, log: options.log ?? ((line) => process.stderr.write(`${line}\n`)) });
  }
  return dataFolder(root);
}
