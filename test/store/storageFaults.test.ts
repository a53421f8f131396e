import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { historyQuerySchema, type StoreHealth } from '../../src/shared/domain/history';
import { StudioError } from '../../src/shared/ipc/errors';
import { openRunStore, type RunStore } from '../../src/main/store/runStore';
import { holdSqliteLock, type SqliteLocker } from './support/sqliteLocker';

const everything = historyQuerySchema.parse({});
const request = (prompt: string) => ({ prompt, seed: 1, steps: 4 });

let locker: SqliteLocker | undefined;
let store: RunStore | undefined;
afterEach(async () => {
  await locker?.release();
  locker = undefined;
  store?.close();
  store = undefined;
});

function freshStore(): { file: string; store: RunStore; health: StoreHealth[] } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-faults-')), 'studio.db');
  const health: StoreHealth[] = [];
  // Retries far apart: the test flushes by hand, so what it sees does not depend on timers.
  store = openRunStore(file, { retryDelaysMs: [60_000] });
  store.onHealth((next) => health.push(next));
  return { file, store, health };
}

describe('storage faults are contained (real SQLite file)', () => {
  it('a file locked by another process: writes wait in order, one typed error, reads go on, all written once it is free', async () => {
    const { file, store: runs, health } = freshStore();
    locker = await holdSqliteLock(file);
    const notice = runs.queued({ id: 'a', createdAtMs: 1, request: request('a red circle'), steps: 4 });
    expect(notice).toMatchObject({ code: 'STORAGE_UNAVAILABLE', detail: 'SQLITE_BUSY' });
    expect(notice?.message).toContain('studio.db');
    expect(notice?.message).toContain('locked by another program');
    // Later writes queue behind the first, in order, without touching the file.
    expect(runs.started('a', 2)?.code).toBe('STORAGE_UNAVAILABLE');
    expect(runs.finished({ id: 'a', createdAtMs: 1, request: request('a red circle'), steps: 4, status: 'done' })?.code).toBe('STORAGE_UNAVAILABLE');
    expect(health.at(-1)).toMatchObject({ kind: 'failing', pendingWrites: 3, error: { code: 'STORAGE_UNAVAILABLE' } });
    // WAL readers are not blocked by a writer: the history still lists (without the waiting run).
    expect(runs.list(everything).total).toBe(0);
    runs.flush();
    expect(runs.health().kind).toBe('failing');

    await locker.release();
    locker = undefined;
    runs.flush();
    expect(runs.health()).toEqual({ kind: 'ok' });
    expect(health.at(-1)).toEqual({ kind: 'ok' });
    expect(runs.history.get('a')).toMatchObject({ status: 'done', startedAtMs: 2, prompt: 'a red circle' });
  });

  it('a delete the user asked for while the file is locked: a typed STORAGE_UNAVAILABLE, nothing lost', async () => {
    const { file, store: runs } = freshStore();
    runs.queued({ id: 'kept', createdAtMs: 1, request: request('a blue square'), steps: 4 });
    locker = await holdSqliteLock(file);
    let thrown: unknown;
    try {
      runs.delete('kept');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StudioError);
    expect(thrown).toMatchObject({ code: 'STORAGE_UNAVAILABLE', detail: 'SQLITE_BUSY' });
    expect((thrown as Error).message).toMatch(/could not be changed: the database file is locked by another program/);
    await locker.release();
    locker = undefined;
    expect(runs.list(everything).entries.map((entry) => entry.id)).toEqual(['kept']);
  });

  it('a full disk (SQLITE_FULL from the file\'s page limit): the error says so, and the backlog is written when space returns', () => {
    const { store: runs, health } = freshStore();
    runs.queued({ id: 'first', createdAtMs: 1, request: request('x'), steps: 4 });
    const pages = runs.db.pragma('page_count', { simple: true }) as number;
    // The file may not grow: SQLite answers SQLITE_FULL exactly as on a full disk.
    runs.db.pragma(`max_page_count = ${pages}`);
    let notice;
    let written = 0;
    for (let i = 0; i < 200 && !notice; i++) {
      notice = runs.queued({ id: `run-${i}`, createdAtMs: 10 + i, request: request(`a long prompt ${i} ${'word '.repeat(300)}`), steps: 4 });
      written += notice ? 0 : 1;
    }
    expect(notice).toMatchObject({ code: 'STORAGE_UNAVAILABLE', detail: 'SQLITE_FULL' });
    expect(notice?.message).toContain('the disk is full');
    expect(health.filter((state) => state.kind === 'failing')).toHaveLength(1);
    runs.queued({ id: 'after', createdAtMs: 999, request: request('after the disk filled'), steps: 4 });
    expect(runs.health()).toMatchObject({ kind: 'failing', pendingWrites: 2 });

    runs.db.pragma('max_page_count = 1073741823');
    runs.flush();
    expect(runs.health()).toEqual({ kind: 'ok' });
    const ids = runs.list(everything).entries.map((entry) => entry.id);
    expect(ids).toContain('after');
    expect(ids).toContain(`run-${written}`);
    expect(ids).toHaveLength(written + 3);
  });
});
