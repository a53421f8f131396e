import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestHash } from '../../src/main/backend/modelCatalog';
import { recordFinishedRun } from '../../src/main/backend/recordRun';
import { encodePng } from '../../src/main/engine/output/pngWriter';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { generationStartSchema } from '../../src/shared/ipc/contract';
import { flatFrames, tempDataFolder } from './archiveSupport';

describe('recording a finished run', () => {
  it('keeps its project, lineage, manifest hash and media folder, and writes its thumbnail (the middle frame)', () => {
    const { folder, db } = tempDataFolder();
    const history = new HistoryRepository(db);
    const framesDir = path.join(folder.outputsDir, 'job-1', 'clip-frames');
    fs.mkdirSync(framesDir, { recursive: true });
    const frames = flatFrames(3, 30).map((frame) => encodePng(frame, 4, 4));
    frames.forEach((png, index) => fs.writeFileSync(path.join(framesDir, `frame-00${index}.png`), png));
    const job = { jobId: 'job-1', createdAtMs: 5, status: 'done' as const, request: { prompt: 'a red circle' } };
    recordFinishedRun(history, job, { projectId: 'default', derivedFrom: 'job-0', outputsDir: folder.outputsDir, dataRoot: folder.root, manifestHash: 'f00d' });
    expect(history.get('job-1')).toMatchObject({ projectId: 'default', derivedFrom: 'job-0', manifestHash: 'f00d', hasMedia: true });
    expect(history.row('job-1')?.media_dir).toBe('outputs/job-1');
    expect(fs.readFileSync(path.join(folder.outputsDir, 'job-1', 'thumb.png'))).toEqual(frames[1]);

    // A failed run, or outputs outside the data folder, keep no media folder.
    recordFinishedRun(history, { ...job, jobId: 'job-2', status: 'failed' }, { outputsDir: folder.outputsDir, dataRoot: folder.root, manifestHash: null });
    expect(history.get('job-2')).toMatchObject({ hasMedia: false, derivedFrom: null });
  });

  it('hashes the manifest of the built-in model, and the start params take a project and lineage but nothing unknown', () => {
    expect(manifestHash(path.resolve('models', 'shapes-tiny'))).toMatch(/^[0-9a-f]{64}$/);
    expect(manifestHash('/nowhere')).toBeNull();
    expect(generationStartSchema.safeParse({ prompt: 'x', projectId: 'p', derivedFrom: 'r' }).success).toBe(true);
    expect(generationStartSchema.safeParse({ prompt: 'x', project: 'p' }).success).toBe(false);
  });
});
