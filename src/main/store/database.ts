import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type StudioDatabase = Database.Database;

/**
 * Schema migrations, applied in order inside one transaction each; user_version records how far a file got, so an
 * older file is upgraded in place and nothing already saved is dropped.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE generations (
     id TEXT PRIMARY KEY,
     created_at_ms INTEGER NOT NULL,
     finished_at_ms INTEGER,
     status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'cancelled')),
     prompt TEXT NOT NULL,
     seed INTEGER,
     model_id TEXT,
     steps INTEGER,
     steps_run INTEGER,
     leap_step INTEGER,
     merged_steps INTEGER,
     total_ms REAL,
     peak_rss_bytes INTEGER,
     request_json TEXT NOT NULL,
     summary_json TEXT,
     error_json TEXT,
     outputs_json TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX generations_created ON generations (created_at_ms DESC);`,
  // Run lifecycle: a row is written when a run is queued and updated when it starts and ends, so a run cut off by a
  // crash is still listed ('interrupted', with its prompt and settings). SQLite cannot alter a CHECK constraint in
  // place: the table is rebuilt (copy every row, then swap), as https://www.sqlite.org/lang_altertable.html §7 describes.
  `CREATE TABLE generations_v2 (
     id TEXT PRIMARY KEY,
     created_at_ms INTEGER NOT NULL,
     started_at_ms INTEGER,
     finished_at_ms INTEGER,
     status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
     prompt TEXT NOT NULL,
     seed INTEGER,
     model_id TEXT,
     steps INTEGER,
     steps_run INTEGER,
     leap_step INTEGER,
     merged_steps INTEGER,
     total_ms REAL,
     peak_rss_bytes INTEGER,
     request_json TEXT NOT NULL,
     summary_json TEXT,
     error_json TEXT,
     outputs_json TEXT NOT NULL DEFAULT '[]'
   );
   INSERT INTO generations_v2 (id, created_at_ms, finished_at_ms, status, prompt, seed, model_id, steps, steps_run, leap_step,
     merged_steps, total_ms, peak_rss_bytes, request_json, summary_json, error_json, outputs_json)
   SELECT id, created_at_ms, finished_at_ms, status, prompt, seed, model_id, steps, steps_run, leap_step,
     merged_steps, total_ms, peak_rss_bytes, request_json, summary_json, error_json, outputs_json FROM generations;
   DROP TABLE generations;
   ALTER TABLE generations_v2 RENAME TO generations;
   CREATE INDEX generations_created ON generations (created_at_ms DESC);
   CREATE INDEX generations_unfinished ON generations (status) WHERE status IN ('queued', 'running');`,
];

/**
 * How long one statement waits for another connection's lock. Short on purpose: the store runs on the thread that
 * serves the UI, so a locked file must fail fast (the write queue retries later) instead of blocking for seconds.
 */
export const STORE_BUSY_TIMEOUT_MS = 50;

/** Opens (creating if needed) the studio database in WAL mode and brings its schema up to date. */
export function openStudioDatabase(filePath: string): StudioDatabase {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const db = new Database(filePath, { timeout: STORE_BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`${filePath} was written by a newer studio (schema ${version}; this one knows ${MIGRATIONS.length}). It was left untouched.`);
    }
    // Foreign keys are enforced only after the migrations: a table rebuild drops and renames a table, which must not
    // cascade into rows that reference it (the pragma is a no-op inside a transaction, so it is set around them).
    db.pragma('foreign_keys = OFF');
    for (let next = version; next < MIGRATIONS.length; next++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[next]);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) {
          throw new Error(`schema migration ${next + 1} would leave ${broken.length} rows with a dangling reference; the file was left at schema ${next}.`);
        }
        db.pragma(`user_version = ${next + 1}`);
      })();
    }
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
