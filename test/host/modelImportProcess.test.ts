import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelImportEvent } from '../../src/shared/domain/models';
import { ModelCatalog } from '../../src/main/backend/modelCatalog';
import { importOpenSoraCheckpoints, type ImportProgress } from '../../src/main/backend/modelImport';
import { ModelLibrary } from '../../src/main/backend/modelLibrary';
import { checkPackageFolder } from '../../src/main/engine/package/checkUnits';

/**
 * "Import Open-Sora 1.2 checkpoints" runs the built import-model CLI (out/main/importModel.js) in a child process
 * on the committed tiny checkpoints (no Python): progress per unit, the package read back, the host's event loop
 * free while tensors are converted (the importer's preview fit alone keeps a thread busy for seconds), a refusal's
 * message as the importer wrote it, and a cancel that kills the child and leaves no partial folder.
 */
const IMPORTER = path.resolve('out/main/importModel.js');
const CKPT = path.resolve('test/fixtures/checkpoints/opensora-tiny');
const checkpoints = { stdit: path.join(CKPT, 'stdit'), vae: path.join(CKPT, 'vae'), t5: path.join(CKPT, 't5') };
/** What "responsive" means for the studio's main process: a click or an IPC reply answered within a quarter second still feels immediate (the in-process importer held this timer back 0.3–1.2 s on the same checkpoints). */
const RESPONSIVE_LAG_MS = 250;

let root = '';
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-import-process-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** The largest delay of a 10 ms timer while `work` runs. */
async function timerLagWhile<T>(work: () => Promise<T>): Promise<{ value: T; maxLagMs: number }> {
  const periodMs = 10;
  let maxLagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - periodMs);
    last = now;
  }, periodMs);
  try {
    return { value: await work(), maxLagMs };
  } finally {
    clearInterval(timer);
  }
}

function partialFolders(dir: string): string[] {
  return fs.readdirSync(dir).filter((entry) => entry.includes('.importing-'));
}

describe('importOpenSoraCheckpoints in a child process', () => {
  it('imports with a progress event per unit while the host event loop stays responsive, and reads the package', async () => {
    const progress: ImportProgress[] = [];
    const outDir = path.join(root, 'pkg');
    const { value: result, maxLagMs } = await timerLagWhile(() =>
      importOpenSoraCheckpoints(IMPORTER, { checkpoints, outDir, name: 'Open-Sora tiny', precision: 'fp32', onProgress: (event) => progress.push(event) }),
    );
    expect(result.pkg.manifest).toMatchObject({ id: 'open-sora-tiny', name: 'Open-Sora tiny', architecture: 'opensora-1.2' });
    expect(progress.map((event) => event.done)).toEqual(progress.map((_, index) => index + 1));
    expect(progress).toHaveLength(progress[0].total);
    expect(progress.at(-1)).toMatchObject({ unitId: 'vae.temporal_encoder' });
    expect(progress.map((event) => event.unitId)).toContain('denoiser.block.01.tdtm');
    expect(result.sizeBytes).toBe(fs.readdirSync(outDir).reduce((sum, f) => sum + fs.statSync(path.join(outDir, f)).size, 0));
    expect(result.peakRssBytes).toBeGreaterThan(0);
    expect(maxLagMs).toBeLessThan(RESPONSIVE_LAG_MS);
    await expect(checkPackageFolder(outDir)).resolves.toMatchObject({ manifest: { id: 'open-sora-tiny' } });
  });

  it('a refused checkpoint gives INVALID_PARAMS with the importer\'s message naming the file, and nothing is written', async () => {
    const broken = path.join(root, 'broken-t5');
    fs.cpSync(checkpoints.t5, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'config.json'), '{ not json');
    const outDir = path.join(root, 'refused');
    await expect(importOpenSoraCheckpoints(IMPORTER, { checkpoints: { ...checkpoints, t5: broken }, outDir })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringContaining(`The checkpoints were refused: ${path.join(broken, 'config.json')}`),
    });
    expect(fs.existsSync(outDir)).toBe(false);
    expect(partialFolders(root)).toEqual([]);
  });

  it('a cancel mid-way kills the importer and removes its partial package', async () => {
    const outDir = path.join(root, 'cancelled');
    const controller = new AbortController();
    const seen: string[] = [];
    let partialAtCancel: string[] = [];
    const running = importOpenSoraCheckpoints(IMPORTER, {
      checkpoints,
      outDir,
      signal: controller.signal,
      onProgress: (event) => {
        seen.push(event.unitId);
        if (event.unitId === 'denoiser.embedder') {
          partialAtCancel = partialFolders(root);
          controller.abort();
        }
      },
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    // It was under way: the partial package existed, and units after the cancel point were never reported.
    expect(partialAtCancel).toHaveLength(1);
    expect(seen.at(-1)).toBe('denoiser.embedder');
    expect(fs.existsSync(outDir)).toBe(false);
    expect(partialFolders(root)).toEqual([]);
    // A killed child writes nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(partialFolders(root)).toEqual([]);
    expect(fs.existsSync(outDir)).toBe(false);
  });
});

describe('ModelLibrary.startImport (models.import) through the child-process importer', () => {
  it('imports into models/<id> with progress events; a cancel ends CANCELLED with nothing kept', async () => {
    const modelsDir = path.join(root, 'data', 'models');
    const catalog = new ModelCatalog({ modelsDir });
    const events: ModelImportEvent[] = [];
    let cancelId = '';
    const library: ModelLibrary = new ModelLibrary({
      catalog,
      checkPackage: async (dir) => {
        await checkPackageFolder(dir);
      },
      onChanged: () => undefined,
      onImportEvent: (event) => {
        events.push(event);
        if (event.importId === cancelId && event.kind === 'progress' && event.done === 2) {
          library.cancelImport(cancelId);
        }
      },
      importerEntry: IMPORTER,
    });
    const end = async (importId: string): Promise<ModelImportEvent> => {
      for (let waitedMs = 0; waitedMs < 120_000; waitedMs += 50) {
        const found = events.find((event) => event.importId === importId && event.kind !== 'progress');
        if (found) {
          await new Promise((resolve) => setTimeout(resolve, 200)); // the work folder goes right after the end event
          return found;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`import ${importId} did not end`);
    };

    const { importId } = library.startImport({ ...checkpoints, name: 'Open-Sora tiny' });
    expect(await end(importId)).toMatchObject({ kind: 'done', model: { id: 'open-sora-tiny', path: path.join(modelsDir, 'open-sora-tiny') } });
    expect(events.filter((event) => event.importId === importId && event.kind === 'progress')).toHaveLength(15);

    cancelId = library.startImport({ ...checkpoints, name: 'Open-Sora cancelled' }).importId;
    expect(await end(cancelId)).toMatchObject({ kind: 'failed', error: { code: 'CANCELLED' } });
    expect(events.filter((event) => event.importId === cancelId && event.kind === 'progress')).toHaveLength(2);
    expect(fs.readdirSync(modelsDir)).toEqual(['open-sora-tiny']);
    expect(catalog.list().map((model) => model.id)).toContain('open-sora-tiny');
  });
});
