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
];

/** Opens (creating if needed) the studio database in WAL mode and brings its schema up to date. */
export function openStudioDatabase(filePath: string): StudioDatabase {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const db = new Database(filePath);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`${filePath} was written by a newer studio (schema ${version}; this one knows ${MIGRATIONS.length}). It was left untouched.`);
    }
    for (let next = version; next < MIGRATIONS.length; next++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[next]);
        db.pragma(`user_version = ${next + 1}`);
      })();
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
