// Where the Electron build of better-sqlite3 lives. Plain JS: `npm start` (scripts/) makes the file and the Electron
// main process (bundled) loads it through better-sqlite3's `nativeBinding` option; both read this one definition.
import path from 'node:path';

/** The compiled addon's file name, as node-gyp and prebuild-install write it (build/Release/…). */
export const SQLITE_BINDING_FILE = 'better_sqlite3.node';

/** The project's cache of Electron builds, relative to the project root (never node_modules/better-sqlite3 itself). */
export const SQLITE_BINDING_CACHE = path.join('node_modules', '.cache', 'studio-native');

/** In a packaged app: resources/native/better_sqlite3.node (electron-builder.yml's extraResources). */
export const PACKAGED_BINDING_DIR = 'native';

/** One folder per better-sqlite3 version × Electron version × OS × CPU: a new Electron or better-sqlite3 gets its own. */
export function electronSqliteBindingPath(projectRoot, facts) {
  const key = `better-sqlite3-${facts.betterSqliteVersion}-electron-${facts.electronVersion}-${facts.platform}-${facts.arch}`;
  return path.join(projectRoot, SQLITE_BINDING_CACHE, key, SQLITE_BINDING_FILE);
}

/** The binding the Electron main process loads: the packed one in a packaged app, else the project's cache. */
export function resolveElectronSqliteBinding({ isPackaged, resourcesPath, projectRoot, facts }) {
  return isPackaged ? path.join(resourcesPath, PACKAGED_BINDING_DIR, SQLITE_BINDING_FILE) : electronSqliteBindingPath(projectRoot, facts);
}
