import type { StudioDatabase } from '../database';

const OLD_STATUS_CHECK = /CHECK\s*\(\s*status\s+IN\s*\(\s*'done'\s*,\s*'failed'\s*,\s*'cancelled'\s*\)\s*\)/;
const NEW_STATUS_CHECK = "CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'))";

/**
 * Run lifecycle: a row is written when a run is queued and updated when it starts and ends, so a run cut off by a
 * crash is still listed ('interrupted', with its prompt and settings). SQLite cannot alter a CHECK constraint in
 * place, so the table is rebuilt as https://www.sqlite.org/lang_altertable.html §7 describes: a copy with the new
 * constraint, every row copied, the old table dropped, the copy renamed. The copy is made from the table's own
 * CREATE statement, so columns that other migrations added are kept with their data, and the table's indexes and
 * triggers are created again afterwards.
 */
export function addRunLifecycle(db: StudioDatabase): void {
  const table = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'generations'`).get() as { sql: string } | undefined;
  if (!table) {
    throw new Error('the generations table is missing; the file is not a studio history.');
  }
  if (!OLD_STATUS_CHECK.test(table.sql)) {
    throw new Error('the generations table has an unexpected status constraint; the file was left as it was.');
  }
  const dependents = db
    .prepare(`SELECT sql FROM sqlite_master WHERE tbl_name = 'generations' AND type IN ('index', 'trigger') AND sql IS NOT NULL`)
    .all() as Array<{ sql: string }>;
  const namePattern = /^CREATE TABLE\s+("?)generations\1/i;
  if (!namePattern.test(table.sql)) {
    throw new Error('the generations table\'s definition has an unexpected form; the file was left as it was.');
  }
  db.exec(table.sql.replace(OLD_STATUS_CHECK, NEW_STATUS_CHECK).replace(namePattern, 'CREATE TABLE generations_rebuilt'));
  // Rowids are kept too: an external-content full-text index refers to rows by rowid.
  const columns = (db.pragma('table_info(generations)') as Array<{ name: string }>).map((column) => `"${column.name.replace(/"/g, '""')}"`).join(', ');
  db.exec(`INSERT INTO generations_rebuilt (rowid, ${columns}) SELECT rowid, ${columns} FROM generations`);
  db.exec('DROP TABLE generations');
  // Legacy rename (the page above, step 7): views and other tables' triggers that name "generations" keep their text
  // and find the rebuilt table under that name again, instead of the rename failing on their dangling reference.
  db.pragma('legacy_alter_table = ON');
  try {
    db.exec('ALTER TABLE generations_rebuilt RENAME TO generations');
  } finally {
    db.pragma('legacy_alter_table = OFF');
  }
  for (const { sql } of dependents) {
    db.exec(sql);
  }
  db.exec('ALTER TABLE generations ADD COLUMN started_at_ms INTEGER');
  db.exec(`CREATE INDEX generations_unfinished ON generations (status) WHERE status IN ('queued', 'running')`);
}
