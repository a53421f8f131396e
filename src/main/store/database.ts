import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { addRunLifecycle } from './migrations/runLifecycle';

export type StudioDatabase = Database.Database;

/**
 * Schema migrations, applied in order inside one transaction each; user_version records how far a file got, so an
 * older file is upgraded in place and nothing already saved is dropped. A migration is SQL, or a function for one
 * that must read the schema it upgrades.
 */
const MIGRATIONS: Array<string | ((db: StudioDatabase) => void)> = [
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
  addRunLifecycle,
  // Projects, lineage, stars, model identity, media folder, FTS5 over prompts and saved comparisons. Existing runs go
  // into the default project; nothing is dropped. It comes after the run lifecycle's rebuild of `generations`, so that
  // rebuild never has these columns and triggers to carry.
  `CREATE TABLE projects (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL CHECK (length(trim(name)) > 0),
     created_at_ms INTEGER NOT NULL,
     is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1))
   );
   CREATE UNIQUE INDEX projects_name ON projects (name COLLATE NOCASE);
   CREATE UNIQUE INDEX projects_one_default ON projects (is_default) WHERE is_default = 1;
   INSERT INTO projects (id, name, created_at_ms, is_default) VALUES ('default', 'Default project', CAST(strftime('%s', 'now') AS INTEGER) * 1000, 1);
   ALTER TABLE generations ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
   ALTER TABLE generations ADD COLUMN derived_from TEXT;
   ALTER TABLE generations ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE generations ADD COLUMN model_version TEXT;
   ALTER TABLE generations ADD COLUMN manifest_hash TEXT;
   ALTER TABLE generations ADD COLUMN memory_budget_bytes INTEGER;
   ALTER TABLE generations ADD COLUMN media_dir TEXT;
   UPDATE generations SET
     model_version = json_extract(summary_json, '$.settings.modelVersion'),
     memory_budget_bytes = json_extract(summary_json, '$.memoryBudgetBytes')
   WHERE summary_json IS NOT NULL;
   CREATE INDEX generations_project ON generations (project_id, created_at_ms DESC);
   CREATE VIRTUAL TABLE generations_fts USING fts5 (id UNINDEXED, prompt);
   INSERT INTO generations_fts (id, prompt) SELECT id, prompt FROM generations;
   -- INSERT OR REPLACE does not fire delete triggers: the insert trigger clears any earlier row of the same id.
   CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
     DELETE FROM generations_fts WHERE id = new.id;
     INSERT INTO generations_fts (id, prompt) VALUES (new.id, new.prompt);
   END;
   CREATE TRIGGER generations_fts_update AFTER UPDATE OF prompt ON generations BEGIN
     DELETE FROM generations_fts WHERE id = old.id;
     INSERT INTO generations_fts (id, prompt) VALUES (new.id, new.prompt);
   END;
   CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations BEGIN
     DELETE FROM generations_fts WHERE id = old.id;
   END;
   CREATE TABLE comparisons (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     prompt TEXT NOT NULL,
     seed INTEGER NOT NULL,
     request_json TEXT NOT NULL
   );
   CREATE INDEX comparisons_project ON comparisons (project_id, created_at_ms DESC);
   CREATE TABLE comparison_variants (
     comparison_id TEXT NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     variant_json TEXT NOT NULL,
     run_id TEXT,
     start_error TEXT,
     PRIMARY KEY (comparison_id, position)
   );`,
];

/**
 * How long one statement waits for another connection's lock. Short on purpose: the store runs on the thread that
 * serves the UI, so a locked file must fail fast (the write queue retries later) instead of blocking for seconds.
 */
export const STORE_BUSY_TIMEOUT_MS = 50;

/**
 * The compiled better-sqlite3 addon to load instead of the package's own build: the Electron main process sets it to
 * its Electron-ABI build (the package's own is Node's, for the tests and the CLIs). Process-wide: one runtime per process.
 */
let nativeBinding: string | undefined;
export function useSqliteNativeBinding(file: string | undefined): void {
  nativeBinding = file;
}

/** Opens (creating if needed) the studio database in WAL mode and brings its schema up to date. */
export function openStudioDatabase(filePath: string): StudioDatabase {
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  const db = new Database(filePath, { timeout: STORE_BUSY_TIMEOUT_MS, ...(nativeBinding ? { nativeBinding } : {}) });
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
        const migration = MIGRATIONS[next];
        if (typeof migration === 'string') {
          db.exec(migration);
        } else {
          migration(db);
        }
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
