import fs from 'node:fs';
import path from 'node:path';
import { defaultDataRoot } from '../../src/main/store/dataFolder';

/**
 * Every test runs in its own data folder; this guard proves none wrote to the user's real one. Both runners'
 * global setups take a snapshot of the default data root (path, size and modification time of every entry); after
 * each vitest file (a setup file's afterAll) and after the Playwright run (its global teardown) the check fails,
 * naming the entries, when anything there was created, changed or removed.
 * (A studio the user runs at the same time would trip it too: the message says so.)
 */
export type FolderSnapshot = ReadonlyMap<string, string>;

export function snapshotFolder(root: string): FolderSnapshot {
  const entries = new Map<string, string>();
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return; // absent (or unreadable): nothing to compare inside
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full, { throwIfNoEntry: false });
      if (!stat) {
        continue;
      }
      entries.set(full, stat.isDirectory() ? 'dir' : `${stat.size}:${stat.mtimeMs}`);
      if (stat.isDirectory()) {
        walk(full);
      }
    }
  };
  if (fs.existsSync(root)) {
    entries.set(root, 'root');
    walk(root);
  }
  return entries;
}

export function folderChanges(before: FolderSnapshot, after: FolderSnapshot): string[] {
  const changes: string[] = [];
  for (const [entry, state] of after) {
    if (!before.has(entry)) {
      changes.push(`created ${entry}`);
    } else if (before.get(entry) !== state) {
      changes.push(`changed ${entry}`);
    }
  }
  for (const entry of before.keys()) {
    if (!after.has(entry)) {
      changes.push(`removed ${entry}`);
    }
  }
  return changes;
}

/** Throws, naming the entries, when the real data folder differs from `before`. */
export function checkRealDataFolder(who: string, before: FolderSnapshot): void {
  const root = defaultDataRoot();
  const changes = folderChanges(before, snapshotFolder(root));
  if (changes.length > 0) {
    const shown = changes.slice(0, 10).join('\n  ');
    throw new Error(
      `${who} wrote to the real data folder ${root} (every test must use its own STUDIO_DATA_DIR; ` +
        `or a studio you ran meanwhile did):\n  ${shown}${changes.length > 10 ? `\n  … ${changes.length - 10} more` : ''}`,
    );
  }
}

/** Snapshots the real data folder now; the returned check throws if anything touched it since. */
export function guardRealDataFolder(who: string): () => void {
  const before = snapshotFolder(defaultDataRoot());
  return () => checkRealDataFolder(who, before);
}
