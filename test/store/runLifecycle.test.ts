import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { historyQuerySchema } from '../../src/shared/domain/history';
import { openStudioDatabase, STORE_BUSY_TIMEOUT_MS } from '../../src/main/store/database';
import { openRunStore } from '../../src/main/store/runStore';
import { writeSchemaOneFile } from './support/schemaOne';

function tempDbPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-runs-')), 'studio.db');
}

const everything = historyQuerySchema.parse({});

/** A schema-1 file (migration 1) with two finished runs in it (and the rowid of one deleted). */
function writeRunsFile(file: string): void {
  writeSchemaOneFile(file, (db) => {
    const insert = db.prepare(
      `INSERT INTO generations (id, created_at_ms, finished_at_ms, status, prompt, seed, model_id, steps, steps_run, total_ms, request_json, error_json, outputs_json)
       VALUES (?, ?, ?, ?, ?, ?, 'shapes-tiny', 30, ?, ?, ?, ?, ?)`,
    );
    insert.run('old-done', 1000, 2000, 'done', 'a red circle', 7, 30, 1234.5, JSON.stringify({ prompt: 'a red circle', seed: 7 }), null, JSON.stringify(['/o/clip.gif']));
    insert.run('gone', 2500, 2600, 'done', 'deleted later', null, null, null, JSON.stringify({ prompt: 'deleted later' }), null, '[]');
    db.prepare('DELETE FROM generations WHERE id = ?').run('gone');
    insert.run('old-failed', 3000, 3500, 'failed', 'a blue square', null, null, null, JSON.stringify({ prompt: 'a blue square' }), JSON.stringify({ code: 'ENGINE_CRASHED', message: 'gone' }), '[]');
  });
}

describe('run lifecycle in the history (real SQLite file)', () => {
  it('upgrades a schema-1 file in place: every row and field kept, the new statuses allowed', () => {
    const file = tempDbPath();
    writeRunsFile(file);
    const store = openRunStore(file);
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(2);
    const { entries } = store.list(everything);
    expect(entries.map((entry) => [entry.id, entry.status])).toEqual([
      ['old-failed', 'failed'],
      ['old-done', 'done'],
    ]);
    expect(entries[1]).toMatchObject({
      prompt: 'a red circle',
      seed: 7,
      modelId: 'shapes-tiny',
      stepsRun: 30,
      totalMs: 1234.5,
      startedAtMs: null,
      finishedAtMs: 2000,
      request: { prompt: 'a red circle', seed: 7 },
      outputs: ['/o/clip.gif'],
    });
    expect(entries[0].error).toEqual({ code: 'ENGINE_CRASHED', message: 'gone' });
    // The rebuilt table takes the lifecycle statuses the old CHECK refused.
    expect(store.queued({ id: 'new', createdAtMs: 4000, request: { prompt: 'a green triangle', modelId: 'shapes-tiny' }, steps: 30 })).toBeUndefined();
    expect(store.history.get('new')).toMatchObject({ status: 'queued', modelId: 'shapes-tiny', steps: 30 });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    store.close();
  });

  it('keeps what other migrations added to the table: columns with their data, indexes, triggers, referencing rows and views', () => {
    const file = tempDbPath();
    writeRunsFile(file);
    const raw = new Database(file);
    const rowids = raw.prepare('SELECT rowid, id FROM generations ORDER BY id').all();
    raw.exec(`ALTER TABLE generations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
      UPDATE generations SET pinned = 1 WHERE id = 'old-done';
      CREATE INDEX generations_pinned ON generations (pinned);
      CREATE TABLE project_runs (project TEXT NOT NULL, run_id TEXT NOT NULL REFERENCES generations (id) ON DELETE CASCADE);
      INSERT INTO project_runs VALUES ('p1', 'old-done'), ('p1', 'old-failed');
      CREATE TABLE prompt_log (prompt TEXT);
      CREATE TRIGGER generations_logged AFTER INSERT ON generations BEGIN INSERT INTO prompt_log VALUES (new.prompt); END;
      CREATE TRIGGER project_runs_checked AFTER INSERT ON project_runs BEGIN SELECT id FROM generations WHERE id = new.run_id; END;
      CREATE VIEW pinned_runs AS SELECT id FROM generations WHERE pinned = 1;`);
    raw.close();
    const store = openRunStore(file);
    const db = store.db;
    expect(db.prepare('SELECT rowid, id FROM generations ORDER BY id').all()).toEqual(rowids);
    expect(db.prepare('SELECT id, pinned FROM generations ORDER BY id').all()).toEqual([
      { id: 'old-done', pinned: 1 },
      { id: 'old-failed', pinned: 0 },
    ]);
    // The cascade did not fire when the old table was dropped.
    expect(db.prepare('SELECT COUNT(*) AS n FROM project_runs').get()).toEqual({ n: 2 });
    expect(db.prepare('SELECT id FROM pinned_runs').all()).toEqual([{ id: 'old-done' }]);
    const objects = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name`).all().map((row) => (row as { name: string }).name);
    expect(objects).toEqual(expect.arrayContaining(['generations_created', 'generations_pinned', 'generations_logged', 'generations_unfinished', 'project_runs_checked']));
    store.queued({ id: 'new', createdAtMs: 9, request: { prompt: 'through the trigger' }, steps: 4 });
    expect(db.prepare('SELECT prompt FROM prompt_log').all()).toEqual([{ prompt: 'through the trigger' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
  });

  it('records a run when queued, when it starts and when it ends', () => {
    const store = openRunStore(tempDbPath());
    const request = { prompt: 'a yellow square moving up', seed: 3, steps: 12, lpl: { kind: 'fixed' as const, leapStep: 8 } };
    store.queued({ id: 'r1', createdAtMs: 10, request, steps: 12 });
    expect(store.history.get('r1')).toMatchObject({ status: 'queued', startedAtMs: null, finishedAtMs: null, request });
    store.started('r1', 20);
    expect(store.history.get('r1')).toMatchObject({ status: 'running', startedAtMs: 20 });
    store.finished({ id: 'r1', createdAtMs: 10, request, steps: 12, status: 'failed', error: { code: 'NUMERIC_ERROR', message: 'NaN at step 3' } });
    const ended = store.history.get('r1');
    expect(ended).toMatchObject({ status: 'failed', createdAtMs: 10, startedAtMs: 20, error: { code: 'NUMERIC_ERROR' }, request });
    expect(ended?.finishedAtMs).toBeGreaterThan(0);
    store.close();
  });

  it('marks runs left queued or running as interrupted at the next start, keeping their prompt and settings', () => {
    const file = tempDbPath();
    const first = openRunStore(file);
    const request = { prompt: 'a red circle bouncing', seed: 11, steps: 20, tdtmMergedSteps: 5 };
    first.queued({ id: 'was-running', createdAtMs: 1, request, steps: 20 });
    first.started('was-running', 2);
    first.queued({ id: 'was-waiting', createdAtMs: 3, request: { prompt: 'a blue circle' }, steps: 30 });
    first.queued({ id: 'finished', createdAtMs: 4, request: { prompt: 'a gray square' }, steps: 30 });
    first.finished({ id: 'finished', createdAtMs: 4, request: { prompt: 'a gray square' }, steps: 30, status: 'cancelled' });
    // No close: the connection is abandoned as a crash would leave it.
    const second = openRunStore(file);
    const byId = new Map(second.list(everything).entries.map((entry) => [entry.id, entry]));
    expect(byId.get('was-running')).toMatchObject({ status: 'interrupted', startedAtMs: 2, request, steps: 20 });
    expect(byId.get('was-waiting')).toMatchObject({ status: 'interrupted', request: { prompt: 'a blue circle' } });
    expect(byId.get('finished')?.status).toBe('cancelled');
    second.close();
    first.close();
  });

  it('waits on another connection\'s lock for milliseconds, not seconds', () => {
    const db = openStudioDatabase(tempDbPath());
    expect(db.pragma('busy_timeout', { simple: true })).toBe(STORE_BUSY_TIMEOUT_MS);
    expect(STORE_BUSY_TIMEOUT_MS).toBeLessThanOrEqual(100);
    db.close();
  });
});
