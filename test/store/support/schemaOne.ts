import Database from 'better-sqlite3';

/** The history as the first studio release wrote it (migration 1): a file at user_version 1 and what it holds. */
const SCHEMA_ONE_SQL = `CREATE TABLE generations (
   id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, finished_at_ms INTEGER,
   status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'cancelled')),
   prompt TEXT NOT NULL, seed INTEGER, model_id TEXT, steps INTEGER, steps_run INTEGER, leap_step INTEGER,
   merged_steps INTEGER, total_ms REAL, peak_rss_bytes INTEGER, request_json TEXT NOT NULL, summary_json TEXT,
   error_json TEXT, outputs_json TEXT NOT NULL DEFAULT '[]');
 CREATE INDEX generations_created ON generations (created_at_ms DESC);`;

/** Writes a schema-1 file; `fill` adds its rows (written with that release's SQL) before the version is set. */
export function writeSchemaOneFile(file: string, fill: (db: Database.Database) => void): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_ONE_SQL);
  fill(db);
  db.pragma('user_version = 1');
  db.close();
}
