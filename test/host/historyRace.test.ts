import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StudioBackend } from '../../src/main/backend/studioBackend';
import { EngineClient } from '../../src/main/engine-host/engineClient';
import { launchNodeEngine } from '../../src/main/engine-host/nodeEngineConnection';
import { openRunStore, type RunStore } from '../../src/main/store/runStore';
import { holdSqliteLock, type SqliteLocker } from '../store/support/sqliteLocker';

/**
 * The history race of issue 29: another program holds the history file's lock while a job is queued and starts, and
 * lets go while it runs. When the job's "done" (or "cancelled") event is sent, history.list must already hold its row
 * as ended; before, the row waited for the store's next retry (up to seconds later). Real engine process (built
 * out/main/engineProcess.js), real SQLite file, a real lock held by another process. The retry timer is set to a
 * minute so that only the end of the job can bring the backlog in.
 */
const ENGINE = path.resolve('out/main/engineProcess.js');

let engine: EngineClient | undefined;
let runs: RunStore | undefined;
let locker: SqliteLocker | undefined;

afterEach(async () => {
  await locker?.release();
  engine?.dispose();
  runs?.close();
});

type Listing = { entries: Array<{ id: string; status: string }> };

async function raceOnce(end: 'done' | 'cancelled'): Promise<{ listed: Listing; kinds: string[]; health: string[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-history-race-'));
  const dbFile = path.join(dataDir, 'studio.db');
  runs = openRunStore(dbFile, { retryDelaysMs: [60_000] });
  engine = new EngineClient({ launch: () => launchNodeEngine(ENGINE) });
  engine.start();
  const backend = new StudioBackend(engine, { outputsDir: path.join(dataDir, 'outputs'), runs });
  locker = await holdSqliteLock(dbFile);
  const health: string[] = [];
  runs.onHealth((state) => health.push(state.kind));
  const kinds: string[] = [];
  let listedAtEnd: Promise<unknown> | undefined;
  let released: Promise<void> | undefined;
  let jobId = '';
  backend.onEvent((channel, payload) => {
    if (channel !== 'generation.event' || (payload as { jobId: string }).jobId !== jobId) {
      return;
    }
    const { kind } = (payload as { event: { kind: string } }).event;
    kinds.push(kind);
    if (kind === 'step' && !released) {
      // The other program lets go while the job runs.
      const release = locker?.release() ?? Promise.resolve();
      released = release;
      if (end === 'cancelled') {
        void release.then(() => backend.invoke('generation.cancel', { jobId }));
      }
    }
    if (kind === end) {
      // Read at the very moment the end is announced (the handler reads synchronously).
      listedAtEnd = backend.invoke('history.list', {});
    }
  });
  ({ jobId } = (await backend.invoke('generation.start', { prompt: 'a red circle moving left on a blue background', seed: 3, steps: end === 'done' ? 40 : 200 })) as { jobId: string });
  const started = Date.now();
  while (!listedAtEnd && Date.now() - started < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(released, 'the lock was released mid-run').toBeDefined();
  return { listed: (await listedAtEnd) as Listing, kinds, health };
}

describe('a run is in the history when its end is announced', () => {
  it('"done" after another program released its lock on the history file: history.list already lists the run as done', async () => {
    const { listed, kinds, health } = await raceOnce('done');
    // The store did refuse the job's first writes (the lock was real), and took them all at the end.
    expect(health[0]).toBe('failing');
    expect(health.at(-1)).toBe('ok');
    expect(kinds.at(-1)).toBe('done');
    expect(listed.entries).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(runs?.health()).toEqual({ kind: 'ok' });
  });

  it('"cancelled" likewise lists the run as cancelled', async () => {
    const { listed, kinds } = await raceOnce('cancelled');
    expect(kinds.filter((kind) => kind === 'cancelled')).toHaveLength(1);
    expect(listed.entries).toEqual([expect.objectContaining({ status: 'cancelled' })]);
  });
});
