import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestHash } from '../../src/main/backend/modelCatalog';
import { keepRunMedia } from '../../src/main/backend/recordRun';
import { encodePng } from '../../src/main/engine/output/pngWriter';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { ProjectRepository } from '../../src/main/store/projectRepository';
import { markInterruptedRuns, writeQueuedRun, writeRunStarted } from '../../src/main/store/runLog';
import { generationStartSchema } from '../../src/shared/ipc/contract';
import { flatFrames, tempDataFolder } from './archiveSupport';

describe('recording a run through its lifecycle', () => {
  it('files it in its project with its lineage when queued, and keeps them, the manifest hash, media folder and thumbnail (the middle frame) when it ends', () => {
    const { folder, db } = tempDataFolder();
    const history = new HistoryRepository(db);
    const p1 = new ProjectRepository(db).create('Circles').id;
    const framesDir = path.join(folder.outputsDir, 'job-1', 'clip-frames');
    fs.mkdirSync(framesDir, { recursive: true });
    const frames = flatFrames(3, 30).map((frame) => encodePng(frame, 4, 4));
    frames.forEach((png, index) => fs.writeFileSync(path.join(framesDir, `frame-00${index}.png`), png));
    const job = { jobId: 'job-1', createdAtMs: 5, status: 'done' as const, request: { prompt: 'a red circle' } };

    writeQueuedRun(db, { id: 'job-1', createdAtMs: 5, request: job.request, steps: 30, projectId: p1, derivedFrom: 'job-0' });
    expect(history.get('job-1')).toMatchObject({ status: 'queued', projectId: p1, derivedFrom: 'job-0', hasMedia: false });
    writeRunStarted(db, 'job-1', 6);
    const mediaDir = keepRunMedia(job, { outputsDir: folder.outputsDir, dataRoot: folder.root });
    expect(mediaDir).toBe('outputs/job-1');
    // The end names no project (its row has one): what was set when queued stays.
    history.record({ id: 'job-1', createdAtMs: 5, status: 'done', request: job.request, manifestHash: 'f00d', mediaDir });
    expect(history.get('job-1')).toMatchObject({ status: 'done', startedAtMs: 6, projectId: p1, derivedFrom: 'job-0', manifestHash: 'f00d', hasMedia: true });
    expect(history.row('job-1')?.media_dir).toBe('outputs/job-1');
    expect(fs.readFileSync(path.join(folder.outputsDir, 'job-1', 'thumb.png'))).toEqual(frames[1]);

    // A failed run, or outputs outside the data folder, keep no media folder.
    expect(keepRunMedia({ jobId: 'job-2', status: 'failed' }, { outputsDir: folder.outputsDir, dataRoot: folder.root })).toBeNull();
    expect(keepRunMedia(job, { outputsDir: folder.outputsDir })).toBeNull();
    expect(keepRunMedia(job, { outputsDir: folder.outputsDir, dataRoot: path.join(folder.root, 'elsewhere') })).toBeNull();
    history.record({ id: 'job-2', createdAtMs: 7, status: 'failed', request: job.request, mediaDir: null });
    expect(history.get('job-2')).toMatchObject({ hasMedia: false, derivedFrom: null, projectId: 'default' });

    // A run cut off by a crash is interrupted with its project and lineage.
    writeQueuedRun(db, { id: 'job-3', createdAtMs: 8, request: { prompt: 'a blue square' }, projectId: p1, derivedFrom: 'job-1' });
    expect(markInterruptedRuns(db)).toBe(1);
    expect(history.get('job-3')).toMatchObject({ status: 'interrupted', projectId: p1, derivedFrom: 'job-1' });
    expect(history.list({ search: 'square', sortBy: 'createdAt', descending: true, limit: 10, offset: 0 }).entries.map((entry) => entry.id)).toEqual(['job-3']);
  });

  it('hashes the manifest of the built-in model, and the start params take a model id, a project and lineage but nothing unknown', () => {
    expect(manifestHash(path.resolve('models', 'shapes-tiny'))).toMatch(/^[0-9a-f]{64}$/);
    expect(manifestHash('/nowhere')).toBeNull();
    expect(generationStartSchema.safeParse({ prompt: 'x', modelId: 'shapes-tiny', projectId: 'p', derivedFrom: 'r' }).success).toBe(true);
    expect(generationStartSchema.safeParse({ prompt: 'x', project: 'p' }).success).toBe(false);
    expect(generationStartSchema.safeParse({ prompt: 'x', modelPath: '/models/shapes-tiny' }).success).toBe(false);
  });
});
