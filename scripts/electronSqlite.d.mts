export interface SqliteFacts {
  electronVersion?: string;
  betterSqliteVersion?: string;
  platform: string;
  arch: string;
  prebuildInstall?: string;
  nodeGyp?: string;
}
export type SqlitePlan = { kind: 'no-electron' } | { kind: 'ready' } | { kind: 'make'; methods: Array<'prebuilt' | 'source'> } | { kind: 'cannot'; reason: string };
export function readSqliteFacts(projectRoot: string, options?: { platform?: string; arch?: string; env?: Record<string, string | undefined> }): SqliteFacts;
export function planElectronSqlite(facts: SqliteFacts, bindingExists: boolean): SqlitePlan;
export function ensureElectronSqlite(
  projectRoot: string,
  options?: { facts?: SqliteFacts; log?: (line: string) => void; run?: (args: string[], cwd: string) => { ok: boolean; output: string } },
): { ok: boolean; binding?: string; plan: SqlitePlan; method?: 'prebuilt' | 'source'; reason?: string };
