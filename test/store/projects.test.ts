import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { historyQuerySchema } from '../../src/shared/domain/history';
import { openStudioDatabase } from '../../src/main/store/database';
import { ComparisonRepository } from '../../src/main/store/comparisonRepository';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { addRunLifecycle } from '../../src/main/store/migrations/runLifecycle';
import { markInterruptedRuns, writeQueuedRun } from '../../src/main/store/runLog';
import { DEFAULT_PROJECT_ID, ProjectRepository } from '../../src/main/store/projectRepository';
import { writeSchemaOneFile } from './support/schemaOne';

function tempDbPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-projects-')), 'studio.db');
}

const query = (input: Record<string, unknown> = {}) => historyQuerySchema.parse(input);

/** A schema-1 file (the first studio release) with two runs in it. */
function writeSchema1File(file: string): void {
  writeSchemaOneFile(file, (db) => {
    const insert = db.prepare(
      `INSERT INTO generations (id, created_at_ms, status, prompt, seed, model_id, steps, steps_run, leap_step, merged_steps, total_ms, request_json, summary_json)
       VALUES (?, ?, 'done', ?, ?, 'shapes-tiny', 30, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run('old-1', 1000, 'a red circle moving left', 7, 30, null, 0, 1200, '{"prompt":"a red circle moving left","seed":7}', JSON.stringify({ memoryBudgetBytes: 4096, settings: { modelVersion: '1.0.0' } }));
    insert.run('old-2', 2000, 'a blue square bouncing', 8, 16, 15, 4, 600, '{"prompt":"a blue square bouncing","seed":8}', null);
  });
}

describe('projects in the store (real SQLite file)', () => {
  it('upgrades a schema-1 file with rows: runs kept in the default project, searchable, model version and budget filled in', () => {
    const file = tempDbPath();
    writeSchema1File(file);
    const db = openStudioDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    const history = new HistoryRepository(db);
    const all = history.list(query());
    expect(all.entries.map((e) => [e.id, e.projectId, e.starred, e.derivedFrom])).toEqual([
      ['old-2', DEFAULT_PROJECT_ID, false, null],
      ['old-1', DEFAULT_PROJECT_ID, false, null],
    ]);
    expect(history.get('old-1')).toMatchObject({ modelVersion: '1.0.0', memoryBudgetBytes: 4096, seed: 7, totalMs: 1200 });
    expect(history.list(query({ search: 'circle' })).entries.map((e) => e.id)).toEqual(['old-1']);
    const projects = new ProjectRepository(db);
    expect(projects.list()).toMatchObject([{ id: DEFAULT_PROJECT_ID, isDefault: true, runCount: 2 }]);
    db.close();
    // Opening again applies nothing twice.
    const again = openStudioDatabase(file);
    expect(new HistoryRepository(again).list(query()).total).toBe(2);
    again.close();
  });

  it('upgrades a file at schema 2 (run lifecycle, before projects) with queued and interrupted runs: all kept and searchable, the lifecycle still writable', () => {
    const file = tempDbPath();
    writeSchema1File(file);
    const raw = new Database(file);
    raw.transaction(() => {
      addRunLifecycle(raw);
      raw.pragma('user_version = 2');
    })();
    raw.prepare(`INSERT INTO generations (id, created_at_ms, started_at_ms, status, prompt, request_json) VALUES ('cut', 3000, 3100, 'interrupted', 'a green triangle', '{"prompt":"a green triangle"}')`).run();
    raw.prepare(`INSERT INTO generations (id, created_at_ms, status, prompt, request_json) VALUES ('waiting', 4000, 'queued', 'a yellow star', '{"prompt":"a yellow star"}')`).run();
    raw.close();
    const db = openStudioDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    const history = new HistoryRepository(db);
    expect(history.list(query()).entries.map((e) => [e.id, e.status, e.projectId])).toEqual([
      ['waiting', 'queued', DEFAULT_PROJECT_ID],
      ['cut', 'interrupted', DEFAULT_PROJECT_ID],
      ['old-2', 'done', DEFAULT_PROJECT_ID],
      ['old-1', 'done', DEFAULT_PROJECT_ID],
    ]);
    expect(history.get('cut')).toMatchObject({ startedAtMs: 3100, prompt: 'a green triangle' });
    expect(history.list(query({ search: 'triangle' })).entries.map((e) => e.id)).toEqual(['cut']);
    // The projects columns and search triggers are on the table the lifecycle rebuilt, and the lifecycle works on it.
    writeQueuedRun(db, { id: 'next', createdAtMs: 5000, request: { prompt: 'a purple hexagon' }, derivedFrom: 'cut' });
    expect(markInterruptedRuns(db)).toBe(2);
    expect(history.get('next')).toMatchObject({ status: 'interrupted', derivedFrom: 'cut' });
    expect(history.list(query({ search: 'hexagon' })).entries.map((e) => e.id)).toEqual(['next']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('creates, renames, refuses duplicate and empty names, moves runs and deletes a project with its runs and comparisons', () => {
    const db = openStudioDatabase(tempDbPath());
    const projects = new ProjectRepository(db);
    const history = new HistoryRepository(db);
    const comparisons = new ComparisonRepository(db);
    const shapes = projects.create('Shapes');
    expect(() => projects.create('  shapes ')).toThrow(/already exists/);
    expect(projects.rename(shapes.id, 'Shapes study').name).toBe('Shapes study');
    expect(() => projects.rename(DEFAULT_PROJECT_ID, 'SHAPES STUDY')).toThrow(/already exists/);
    expect(projects.freeName('Shapes study')).toBe('Shapes study (2)');
    history.record({ id: 'r1', createdAtMs: 1, status: 'done', request: { prompt: 'one' }, projectId: shapes.id, mediaDir: 'outputs/r1' });
    history.record({ id: 'r2', createdAtMs: 2, status: 'done', request: { prompt: 'two' }, derivedFrom: 'r1' });
    expect(history.get('r2')).toMatchObject({ projectId: DEFAULT_PROJECT_ID, derivedFrom: 'r1' });
    expect(history.move(['r2', 'missing'], shapes.id)).toBe(1);
    comparisons.save({ projectId: shapes.id, prompt: 'one', seed: 3, variants: [
      { variant: { steps: 30, lpl: { kind: 'off' } }, runId: 'r1', startError: null },
      { variant: { steps: 30, lpl: { kind: 'fixed', leapStep: 15 } }, runId: 'r2', startError: null },
    ] });
    expect(projects.get(shapes.id)).toMatchObject({ runCount: 2, comparisonCount: 1 });
    expect(() => projects.delete(DEFAULT_PROJECT_ID)).toThrow(/default project/);
    expect(projects.delete(shapes.id).mediaDirs).toEqual(['outputs/r1']);
    expect(history.list(query()).total).toBe(0);
    expect(comparisons.list()).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM comparison_variants').get()).toEqual({ n: 0 });
    expect(projects.list().map((p) => p.id)).toEqual([DEFAULT_PROJECT_ID]);
  });

  it('searches prompts with FTS5 (words, prefixes, any punctuation), filters, stars and sorts', () => {
    const db = openStudioDatabase(tempDbPath());
    const history = new HistoryRepository(db, { isModelInstalled: (id) => id === 'shapes-tiny' });
    const projects = new ProjectRepository(db);
    const other = projects.create('Other');
    const summary = (leapStep: number | null, mergedSteps: number, modelId: string) =>
      ({ settings: { modelId, modelVersion: '1', steps: 30 }, seed: 1, stepsRun: leapStep ? leapStep + 1 : 30, leapStep, mergedSteps, timingsMs: { total: 100 }, peakRssBytes: 5, memoryBudgetBytes: 9, outputs: [] }) as never;
    history.record({ id: 'a', createdAtMs: 1, status: 'done', request: { prompt: 'a red circle moving left' }, summary: summary(15, 0, 'shapes-tiny') });
    history.record({ id: 'b', createdAtMs: 2, status: 'done', request: { prompt: 'a blue square "quoted" AND NEAR(' }, summary: summary(null, 4, 'elsewhere'), projectId: other.id });
    history.record({ id: 'c', createdAtMs: 3, status: 'failed', request: { prompt: 'a red triangle bouncing' } });
    const ids = (input: Record<string, unknown>) => history.list(query(input)).entries.map((e) => e.id);
    expect(ids({ search: 'red' })).toEqual(['c', 'a']);
    expect(ids({ search: 'red circ' })).toEqual(['a']);
    expect(ids({ search: 'RED   Tri' })).toEqual(['c']);
    // FTS operators and quotes typed by the user are plain words, never a syntax error.
    expect(ids({ search: '"quoted" AND NEAR(' })).toEqual(['b']);
    expect(ids({ search: '%%% ***' })).toEqual([]);
    expect(ids({ projectId: other.id })).toEqual(['b']);
    expect(ids({ modelId: 'shapes-tiny' })).toEqual(['a']);
    expect(ids({ lplUsed: true })).toEqual(['a']);
    expect(ids({ lplUsed: false })).toEqual(['c', 'b']);
    expect(ids({ tdtmUsed: true })).toEqual(['b']);
    expect(history.setStarred('a', true)).toBe(true);
    expect(ids({ starredOnly: true })).toEqual(['a']);
    expect(ids({ sortBy: 'starred', descending: true })).toEqual(['a', 'c', 'b']);
    // Unknown values sort last in both directions.
    expect(ids({ sortBy: 'leapStep', descending: false })).toEqual(['a', 'c', 'b']);
    expect(history.get('b')?.modelInstalled).toBe(false);
    expect(history.get('a')?.modelInstalled).toBe(true);
    // Recording a run's end again (as after it was queued) keeps its star, project and lineage.
    history.setStarred('b', true);
    history.record({ id: 'b', createdAtMs: 2, status: 'failed', request: { prompt: 'a blue square "quoted" AND NEAR(' } });
    expect(history.get('b')).toMatchObject({ projectId: other.id, starred: true, status: 'failed' });
    // The search index follows the prompt.
    db.prepare(`UPDATE generations SET prompt = 'a green hexagon' WHERE id = 'b'`).run();
    expect(history.get('b')?.prompt).toBe('a green hexagon');
    expect(ids({ search: 'blue' })).toEqual([]);
    expect(ids({ search: 'hexagon' })).toEqual(['b']);
    expect(history.delete('b')).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM generations_fts').get()).toEqual({ n: 2 });
  });

  it('saves a comparison with its variants in order and reopens it as it was', () => {
    const db = openStudioDatabase(tempDbPath());
    const comparisons = new ComparisonRepository(db);
    const saved = comparisons.save({ prompt: 'a red circle', seed: 42, variants: [
      { variant: { steps: 30, lpl: { kind: 'off' } }, runId: null, startError: null },
      { variant: { steps: 30, lpl: { kind: 'dynamic', minimumStep: 14 } }, runId: null, startError: null },
    ] });
    expect(comparisons.setRun(saved.id, 1, 'job-2', null)).toBe(true);
    expect(comparisons.setRun(saved.id, 5, 'job-x', null)).toBe(false);
    expect(comparisons.get(saved.id)).toEqual({
      id: saved.id, projectId: DEFAULT_PROJECT_ID, createdAtMs: saved.createdAtMs, prompt: 'a red circle', seed: 42,
      variants: [
        { variant: { steps: 30, lpl: { kind: 'off' } }, runId: null, startError: null },
        { variant: { steps: 30, lpl: { kind: 'dynamic', minimumStep: 14 } }, runId: 'job-2', startError: null },
      ],
    });
  });
});
