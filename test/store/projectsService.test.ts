import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectsService } from '../../src/main/backend/projectsService';
import { resolveMediaFile } from '../../src/main/backend/mediaRoute';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { ARCHIVE_CHUNK_BYTES } from '../../src/shared/ipc/contract';
import { listFiles, seedRun, tempDataFolder } from './archiveSupport';

describe('projects behind the contract: chunked export and upload, media of stored runs', () => {
  it('exports in pieces, imports from pieces, plays a stored run and deletes a project with its files', async () => {
    const { folder, db } = tempDataFolder();
    const service = new ProjectsService({ db, folder });
    const events: string[] = [];
    service.connect({ projectsChanged: () => events.push('projects'), historyChanged: () => events.push('history') });
    const project = service.create('Round trip');
    seedRun(folder, service.history, { id: 'run-1', createdAtMs: 1, prompt: 'a red circle', projectId: project.id, shade: 40 });
    // Bulk the run up so the archive spans several pieces.
    const mp4 = Buffer.alloc(ARCHIVE_CHUNK_BYTES * 2 + 1000, 3);
    // An MP4 starts with its "ftyp" box (the import checks each media entry is the kind its name says).
    Buffer.from([0, 0, 0, 16, ...Buffer.from('ftypisom'), 0, 0, 2, 0]).copy(mp4);
    fs.writeFileSync(path.join(folder.outputsDir, 'run-1', 'clip.mp4'), mp4);

    const clip = service.clip('run-1');
    expect(clip).toMatchObject({ width: 4, height: 4, fps: 8, entry: { prompt: 'a red circle' } });
    // Frames are URLs of the media route into the data folder; what they serve is the PNG on disk.
    const served = (url: string): Buffer => {
      const lookup = resolveMediaFile(folder.root, url.replace(/^studio-media:\/\/data\//, ''));
      if (!lookup.ok) {
        throw new Error(`${url}: ${lookup.reason}`);
      }
      return fs.readFileSync(lookup.file);
    };
    expect(clip.frameUrls).toHaveLength(3);
    expect(clip.frameUrls[0]).toBe('studio-media://data/outputs/run-1/clip-frames/frame-000.png');
    expect(served(clip.frameUrls[0]).subarray(1, 4).toString()).toBe('PNG');
    const framesBefore = clip.frameUrls.map(served);
    expect(served(service.thumbnail('run-1').url ?? '').subarray(1, 4).toString()).toBe('PNG');
    expect(served(service.preview('run-1').url ?? '').subarray(0, 6).toString()).toBe('GIF89a');
    expect(service.star('run-1', true)).toEqual({ starred: true });

    const started = await service.startExport(project.id);
    expect(started.fileName).toBe('Round trip.zip');
    const pieces: Buffer[] = [];
    for (let offset = 0, done = false; !done; ) {
      const chunk = service.exportChunk(started.exportId, offset);
      pieces.push(Buffer.from(chunk.dataBase64, 'base64'));
      offset += pieces[pieces.length - 1].length;
      done = chunk.done;
    }
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    const archive = Buffer.concat(pieces);
    expect(archive.length).toBe(started.sizeBytes);
    expect(() => service.exportChunk(started.exportId, 0)).toThrow(/No export/);

    service.delete(project.id);
    expect(fs.existsSync(path.join(folder.outputsDir, 'run-1'))).toBe(false);

    const { uploadId } = service.beginImport('Round trip.zip', archive.length);
    expect(() => service.importChunk(uploadId, 5, 'AAAA')).toThrow(/expected the piece at byte 0/);
    for (let offset = 0; offset < archive.length; offset += ARCHIVE_CHUNK_BYTES) {
      service.importChunk(uploadId, offset, archive.subarray(offset, offset + ARCHIVE_CHUNK_BYTES).toString('base64'));
    }
    const outcome = await service.finishImport(uploadId);
    expect(outcome.project).toMatchObject({ name: 'Round trip', runCount: 1 });
    const [run] = service.history.list({ projectId: outcome.project.id, sortBy: 'createdAt', descending: true, limit: 10, offset: 0 }).entries;
    expect(run).toMatchObject({ starred: true, hasMedia: true });
    expect(service.clip(run.id).frameUrls.map(served)).toEqual(framesBefore);
    expect(fs.readFileSync(path.join(folder.outputsDir, run.id, 'clip.mp4')).length).toBe(ARCHIVE_CHUNK_BYTES * 2 + 1000);
    expect(listFiles(folder.tmpDir)).toEqual([]);
    expect(events).toContain('projects');
  });

  it('deletes a run with its files', () => {
    const { folder, db } = tempDataFolder();
    const history = new HistoryRepository(db);
    seedRun(folder, history, { id: 'old', createdAtMs: 1, prompt: 'a red circle', projectId: 'default', shade: 40 });
    const service = new ProjectsService({ db, folder });
    expect(service.history.get('old')?.hasMedia).toBe(true);
    expect(service.thumbnail('old').url).toBe('studio-media://data/outputs/old/thumb.png');
    expect(service.placementProject('gone')).toBeUndefined();
    expect(service.placementProject('default')).toBe('default');
    expect(service.deleteRun('old')).toBe(true);
    expect(fs.existsSync(path.join(folder.outputsDir, 'old'))).toBe(false);
    expect(service.deleteRun('old')).toBe(false);
  });

  it('a refused upload names the user\'s file and leaves no transfer behind', async () => {
    const { folder, db } = tempDataFolder();
    const service = new ProjectsService({ db, folder });
    const bytes = Buffer.from('definitely not a zip');
    const { uploadId } = service.beginImport('holiday.zip', bytes.length);
    service.importChunk(uploadId, 0, bytes.toString('base64'));
    await expect(service.finishImport(uploadId)).rejects.toThrow(/^holiday\.zip was refused: it is not a zip archive/);
    expect(listFiles(folder.tmpDir)).toEqual([]);
    expect(() => service.clip('nope')).toThrow(/No run with id nope/);
    expect(() => service.delete('default')).toThrow(/default project/);
  });

  it('uploads are limited: how many are open, the bytes they announce, the disk space they need; 300 uploads of 4 GiB get typed refusals', () => {
    const { folder, db } = tempDataFolder();
    const service = new ProjectsService({ db, folder });
    const accepted: string[] = [];
    const refusals = new Set<string>();
    for (let attempt = 0; attempt < 300; attempt++) {
      try {
        accepted.push(service.beginImport(`big-${attempt}.zip`, 4 * 1024 ** 3).uploadId);
      } catch (error) {
        refusals.add((error as { code: string }).code);
      }
    }
    // Two of 4 GiB reach the 8 GiB announced at once, or the disk's free space stops them sooner.
    expect(accepted.length).toBeLessThanOrEqual(2);
    expect([...refusals].every((code) => code === 'BUSY' || code === 'DISK_FULL')).toBe(true);
    expect(fs.readdirSync(path.join(folder.tmpDir, 'transfers'))).toHaveLength(accepted.length);

    const limited = new ProjectsService({ db, folder, transferLimits: { maxOpenUploads: 2, maxOpenUploadBytes: 1500 } });
    limited.beginImport('a.zip', 600);
    expect(() => limited.beginImport('b.zip', 1000)).toThrow(
      'b.zip was refused: the open uploads already announce 600 bytes, and with its 1,000 bytes they would pass the 1,500 bytes accepted at once. Finish one first.',
    );
    limited.beginImport('b.zip', 600);
    expect(() => limited.beginImport('c.zip', 1)).toThrow('2 uploads are open (the limit is 2): finish one first (one untouched for 10 minutes is dropped).');

    const roomy = new ProjectsService({ db, folder, transferLimits: { maxUploadBytes: 2 ** 60, maxOpenUploadBytes: 2 ** 60 } });
    // No disk has a pebibyte free: the real free space of the data folder's disk refuses it before a byte is written.
    const huge = (() => {
      try {
        roomy.beginImport('huge.zip', 2 ** 50);
      } catch (error) {
        return error as { code: string; message: string };
      }
      return null;
    })();
    expect(huge).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/^huge\.zip was refused: importing it needs about [\d,]+ bytes free in the data folder .* and [\d,]+ bytes are free\. Nothing was imported\.$/) });
  });

  it('abandoned uploads and unread exports are removed after the idle limit, files and all', async () => {
    const { folder, db } = tempDataFolder();
    const service = new ProjectsService({ db, folder, transferLimits: { idleMs: 300 } });
    const project = service.create('Left behind');
    seedRun(folder, service.history, { id: 'run-1', createdAtMs: 1, prompt: 'a red circle', projectId: project.id, shade: 40 });
    const { uploadId } = service.beginImport('half.zip', 1000);
    service.importChunk(uploadId, 0, Buffer.alloc(100).toString('base64'));
    const { exportId } = await service.startExport(project.id);
    expect(fs.readdirSync(path.join(folder.tmpDir, 'transfers'))).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(fs.readdirSync(path.join(folder.tmpDir, 'transfers'))).toEqual([]);
    expect(() => service.importChunk(uploadId, 100, 'AAAA')).toThrow(`No upload ${uploadId} is open.`);
    expect(() => service.exportChunk(exportId, 0)).toThrow(`No export ${exportId} is waiting to be read.`);
  });
});
