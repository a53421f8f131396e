import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelImportEvent } from '../../src/shared/domain/models';
import { ModelCatalog } from '../../src/main/backend/modelCatalog';
import { ModelLibrary } from '../../src/main/backend/modelLibrary';
import { checkPackageFolder } from '../../src/main/engine/package/checkUnits';
import { makeTempDir, writeCheckpoints } from './opensoraTools';

/**
 * "Add model…" from checkpoints (the backend's models.import): the real importer writes into the data folder's
 * models/ through a work folder, with a progress event per unit; the imported package is registered and passes the
 * same full check as an added package; a duplicate, a second import at once and a cancel leave nothing behind.
 */
describe('ModelLibrary.startImport (models.import) over the real importer', () => {
  let root = '';
  let checkpoints: { stdit: string; vae: string; t5: string };
  let modelsDir = '';
  let catalog: ModelCatalog;
  let library: ModelLibrary;
  const events: ModelImportEvent[] = [];
  const changed: string[] = [];

  beforeAll(() => {
    root = makeTempDir('studio-models-import-');
    writeCheckpoints(path.join(root, 'ckpt'));
    checkpoints = { stdit: path.join(root, 'ckpt', 'stdit'), vae: path.join(root, 'ckpt', 'vae'), t5: path.join(root, 'ckpt', 't5') };
    modelsDir = path.join(root, 'data', 'models');
    catalog = new ModelCatalog({ modelsDir });
    library = new ModelLibrary({
      catalog,
      checkPackage: async (dir) => {
        await checkPackageFolder(dir);
      },
      onChanged: (id) => changed.push(id),
      onImportEvent: (event) => events.push(event),
      importerEntry: path.resolve('out/main/importModel.js'),
    });
  });
  afterAll(() => {
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  /** The end of one import (done or failed), with its progress events. */
  async function finished(importId: string): Promise<{ end: ModelImportEvent; progress: ModelImportEvent[] }> {
    for (let waitedMs = 0; waitedMs < 240_000; waitedMs += 100) {
      const end = events.find((event) => event.importId === importId && event.kind !== 'progress');
      if (end) {
        // The work folder goes right after the end event.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { end, progress: events.filter((event) => event.importId === importId && event.kind === 'progress') };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`import ${importId} did not finish`);
  }

  it('imports into models/<id> with progress per unit, registers it, and the package passes the full check', async () => {
    const { importId } = library.startImport({ ...checkpoints, name: 'Open-Sora small' });
    expect(() => library.startImport(checkpoints)).toThrow(expect.objectContaining({ code: 'BUSY' }));
    const { end, progress } = await finished(importId);
    expect(end).toMatchObject({ kind: 'done', model: { id: 'open-sora-small', name: 'Open-Sora small', builtin: false, path: path.join(modelsDir, 'open-sora-small') } });
    expect(progress.map((event) => (event.kind === 'progress' ? event.done : -1))).toEqual(progress.map((_, index) => index + 1));
    const total = progress[0].kind === 'progress' ? progress[0].total : 0;
    expect(progress.at(-1)).toMatchObject({ done: total });
    expect(fs.readdirSync(modelsDir)).toEqual(['open-sora-small']);
    expect(catalog.list().map((model) => model.id)).toEqual(['shapes-tiny', 'open-sora-small']);
    expect(changed).toEqual(['open-sora-small']);
    await expect(checkPackageFolder(path.join(modelsDir, 'open-sora-small'))).resolves.toMatchObject({ manifest: { id: 'open-sora-small' } });
  }, 300_000);

  it('a second import of the same id is refused by name, and a cancel keeps nothing', async () => {
    const duplicate = library.startImport({ ...checkpoints, name: 'Open-Sora small' });
    const { end } = await finished(duplicate.importId);
    expect(end).toMatchObject({ kind: 'failed', error: { code: 'MODEL_EXISTS', message: expect.stringContaining('A model with the id open-sora-small is already registered (Open-Sora small') } });
    expect(fs.readdirSync(modelsDir)).toEqual(['open-sora-small']);

    const cancelled = library.startImport({ ...checkpoints, name: 'Open-Sora cancelled' });
    for (let waitedMs = 0; !events.some((event) => event.importId === cancelled.importId); waitedMs += 50) {
      expect(waitedMs).toBeLessThan(240_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(library.cancelImport(cancelled.importId)).toBe(true);
    expect((await finished(cancelled.importId)).end).toMatchObject({ kind: 'failed', error: { code: 'CANCELLED' } });
    expect(library.cancelImport(cancelled.importId)).toBe(false);
    expect(fs.readdirSync(modelsDir)).toEqual(['open-sora-small']);
    expect(catalog.list().map((model) => model.id)).toEqual(['shapes-tiny', 'open-sora-small']);
  }, 300_000);
});
