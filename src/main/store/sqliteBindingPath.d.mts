export interface SqliteBindingFacts {
  betterSqliteVersion: string;
  electronVersion: string;
  platform: string;
  arch: string;
}

export const SQLITE_BINDING_FILE: string;
export const SQLITE_BINDING_CACHE: string;
export const PACKAGED_BINDING_DIR: string;
export function electronSqliteBindingPath(projectRoot: string, facts: SqliteBindingFacts): string;
export function resolveElectronSqliteBinding(options: { isPackaged: boolean; resourcesPath: string; projectRoot: string; facts: SqliteBindingFacts }): string;
