import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { historyQuerySchema } from '../../src/shared/domain/history';
import { openStudioDatabase } from '../../src/main/store/database';
import { HistoryRepository } from '../../src/main/store/historyRepository';

function tempDbPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-db-')), 'studio.db');
}

const query = (input: Record<string, unknown> = {}) => historyQuerySchema.parse(input);

describe('prompt history (real SQLite file)', () => {
  it('records, lists newest first, searches, sorts and deletes', () => {
    const file = tempDbPath();
    const repo = new HistoryRepository(openStudioDatabase(file));
    repo.record({ id: 'a', createdAtMs: 1000, status: 'done', request: { prompt: 'a red circle moving left', seed: 1 } });
    repo.record({ id: 'b', createdAtMs: 2000, status: 'failed', request: { prompt: 'a blue square 100%_done' }, error: { code: 'ENGINE_CRASHED', message: 'boom' } });
    repo.record({ id: 'c', createdAtMs: 3000, status: 'cancelled', request: { prompt: 'a red triangle bouncing' } });
    expect(repo.list(query()).entries.map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(repo.list(query({ search: 'red' })).entries.map((e) => e.id)).toEqual(['c', 'a']);
    // Punctuation in the search text is never query syntax: "100%_" finds the word 100.
    expect(repo.list(query({ search: '100%_' })).entries.map((e) => e.id)).toEqual(['b']);
    expect(repo.list(query({ sortBy: 'prompt', descending: false })).entries.map((e) => e.id)).toEqual(['b', 'a', 'c']);
    expect(repo.list(query({ limit: 1, offset: 1 }))).toMatchObject({ total: 3, entries: [{ id: 'b', error: { code: 'ENGINE_CRASHED' } }] });
    expect(repo.get('a')?.request).toEqual({ prompt: 'a red circle moving left', seed: 1 });
    expect(repo.delete('b')).toBe(true);
    expect(repo.delete('b')).toBe(false);
    expect(repo.list(query()).total).toBe(2);
  });

  it('keeps what was saved across reopening, in WAL mode', () => {
    const file = tempDbPath();
    const first = openStudioDatabase(file);
    new HistoryRepository(first).record({ id: 'x', createdAtMs: 5, status: 'done', request: { prompt: 'a gray circle' } });
    expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
    first.close();
    const reopened = new HistoryRepository(openStudioDatabase(file));
    expect(reopened.get('x')?.prompt).toBe('a gray circle');
  });

  it('refuses a file from a newer schema and leaves it untouched', () => {
    const file = tempDbPath();
    const db = openStudioDatabase(file);
    new HistoryRepository(db).record({ id: 'keep', createdAtMs: 5, status: 'done', request: { prompt: 'precious' } });
    db.pragma('user_version = 99');
    db.close();
    expect(() => openStudioDatabase(file)).toThrow(/newer studio \(schema 99/);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT prompt FROM generations WHERE id = ?').get('keep')).toEqual({ prompt: 'precious' });
    raw.close();
  });

  it('refuses a file that is not a database, without overwriting it', () => {
    const file = tempDbPath();
    fs.writeFileSync(file, 'this is somebody else\'s text file, not a database; keep it');
    expect(() => openStudioDatabase(file)).toThrow(/not a database/);
    expect(fs.readFileSync(file, 'utf8')).toContain('keep it');
  });
});
