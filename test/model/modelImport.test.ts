import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOpenSoraCheckpoints, type ImportProgress } from '../../src/main/backend/modelImport';
import { makeTempDir, writeCheckpoints } from './opensoraTools';

/** The studio's import runner (backend) over the real importer: progress per unit, the package read back, refusals and cancel leave nothing. */
describe('importOpenSoraCheckpoints (studio backend → src/main/importer/opensora)', () => {
  let root = '';
  let checkpoints: { stdit: string; vae: string; t5: string };
  beforeAll(() => {
    root = makeTempDir('studio-import-');
    writeCheckpoints(path.join(root, 'ckpt'));
    checkpoints = { stdit: path.join(root, 'ckpt', 'stdit'), vae: path.join(root, 'ckpt', 'vae'), t5: path.join(root, 'ckpt', 't5') };
  });
  afterAll(() => {
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('imports with a progress event per unit and reads the package it wrote', async () => {
    const progress: ImportProgress[] = [];
    const outDir = path.join(root, 'pkg');
    const result = await importOpenSoraCheckpoints({ checkpoints, outDir, name: 'Open-Sora small', onProgress: (event) => progress.push(event) });
    expect(result.pkg.manifest).toMatchObject({ id: 'open-sora-small', architecture: 'opensora-1.2' });
    expect(progress.map((event) => event.done)).toEqual(progress.map((_, index) => index + 1));
    expect(progress.at(-1)).toMatchObject({ unitId: 'vae.temporal_encoder', done: progress[0].total });
    expect(progress.map((event) => event.unitId)).toContain('denoiser.block.01.tdtm');
    expect(result.sizeBytes).toBeGreaterThan(1e6);
    expect(result.peakRssBytes).toBeGreaterThan(0);
  }, 240_000);

  it('a refused checkpoint gives INVALID_PARAMS naming the problem, and nothing is written', async () => {
    const outDir = path.join(root, 'refused');
    const t5Config = path.join(root, 'ckpt-t5-config.json');
    fs.copyFileSync(path.join(checkpoints.t5, 'config.json'), t5Config);
    try {
      fs.writeFileSync(path.join(checkpoints.t5, 'config.json'), '{ not json');
      await expect(importOpenSoraCheckpoints({ checkpoints, outDir })).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/t5\/config\.json/) });
    } finally {
      fs.copyFileSync(t5Config, path.join(checkpoints.t5, 'config.json'));
    }
    expect(fs.existsSync(outDir)).toBe(false);
    expect(fs.readdirSync(root).filter((entry) => entry.includes('.importing-'))).toEqual([]);
  }, 240_000);

  it('a cancel during the import stops it and leaves no package and no partial folder', async () => {
    const outDir = path.join(root, 'cancelled');
    const controller = new AbortController();
    const running = importOpenSoraCheckpoints({ checkpoints, outDir, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.existsSync(outDir)).toBe(false);
    expect(fs.readdirSync(root).filter((entry) => entry.includes('.importing-'))).toEqual([]);
  }, 240_000);
});
