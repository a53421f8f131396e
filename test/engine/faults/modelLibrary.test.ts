import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ModelImportEvent } from '../../../src/shared/domain/models';
import { StudioError } from '../../../src/shared/ipc/errors';
import { ModelCatalog } from '../../../src/main/backend/modelCatalog';
import { ModelLibrary } from '../../../src/main/backend/modelLibrary';
import { acceptRequest } from '../../../src/main/backend/preflight';
import { checkPackageFolder } from '../../../src/main/engine/package/checkUnits';

const SHIPPED = path.resolve(__dirname, '../../../models/shapes-tiny');
const FIXTURE = path.resolve(__dirname, '../../fixtures/packages/opensora-tiny');

interface Studio {
  modelsDir: string;
  catalog: ModelCatalog;
  library: ModelLibrary;
  changed: string[];
  /** Models a queued or running job uses. */
  inUse: Set<string>;
}

let dataDir: string;

/** A studio's model side over one data folder, with the engine's real package check run in-process. */
function openStudio(): Studio {
  const modelsDir = path.join(dataDir, 'models');
  const catalog = new ModelCatalog({ builtinDir: () => SHIPPED, modelsDir });
  const changed: string[] = [];
  const inUse = new Set<string>();
  const library = new ModelLibrary({
    catalog,
    checkPackage: async (dir) => {
      await checkPackageFolder(dir);
    },
    onChanged: (id) => changed.push(id),
    onImportEvent: (event: ModelImportEvent) => changed.push(`import:${event.kind}`),
    inUse: (id) => inUse.has(id),
  });
  return { modelsDir, catalog, library, changed, inUse };
}

/** A copy of the fixture package outside the data folder, changed by `spoil`. */
function spoiledCopy(spoil: (dir: string) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-package-'));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  spoil(dir);
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<StudioError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StudioError);
    return error as StudioError;
  }
  throw new Error('expected a refusal');
}

/** What is in models/ (work folders included): a refusal must leave it as it was. */
function modelsFolder(studio: Studio): string[] {
  return fs.existsSync(studio.modelsDir) ? fs.readdirSync(studio.modelsDir).sort() : [];
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-data-'));
});

describe('"Add model…": packages copied into the data folder, checked first', () => {
  it('adds a valid package: a copy in models/<id>, listed with its size and forecast data, resolvable by id', async () => {
    const studio = openStudio();
    const summary = await studio.library.add(FIXTURE);
    expect(summary).toMatchObject({ id: 'opensora-tiny', name: 'Open-Sora tiny', builtin: false, path: path.join(studio.modelsDir, 'opensora-tiny') });
    const weightsBytes = fs
      .readdirSync(FIXTURE)
      .filter((file) => file.endsWith('.weights'))
      .reduce((sum, file) => sum + fs.statSync(path.join(FIXTURE, file)).size, 0);
    // totalBytes is the manifest's unit sizes: the weights files, give or take alignment padding.
    expect(Math.abs(summary.totalBytes - weightsBytes)).toBeLessThan(weightsBytes * 0.02);
    expect(summary.clipPresets?.resolutions.map((resolution) => resolution.name)).toContain('144p');
    expect(summary.clipMemory.length).toBeGreaterThan(0);
    expect(studio.catalog.list().map((model) => [model.id, model.builtin])).toEqual([
      ['shapes-tiny', true],
      ['opensora-tiny', false],
    ]);
    expect(modelsFolder(studio)).toEqual(['opensora-tiny']);
    expect(fs.readFileSync(path.join(studio.modelsDir, 'opensora-tiny', 'manifest.json'))).toEqual(fs.readFileSync(path.join(FIXTURE, 'manifest.json')));
    expect(studio.changed).toEqual(['opensora-tiny']);
    const accepted = acceptRequest(studio.catalog, { prompt: 'a cat', modelId: 'opensora-tiny', steps: 2, clip: { resolution: '144p', aspect: '16:9', frames: 1 } });
    expect(accepted.engineRequest.modelPath).toBe(path.join(studio.modelsDir, 'opensora-tiny'));
  });

  it('refuses the same id twice, and the built-in id, by name', async () => {
    const studio = openStudio();
    await studio.library.add(FIXTURE);
    const again = await refusal(studio.library.add(FIXTURE));
    expect(again.code).toBe('MODEL_EXISTS');
    expect(again.message).toContain('A model with the id opensora-tiny is already registered (Open-Sora tiny 1.2.0)');
    const builtinTwin = await refusal(studio.library.add(SHIPPED));
    expect(builtinTwin.code).toBe('MODEL_EXISTS');
    expect(builtinTwin.message).toContain('the built-in model');
    expect(modelsFolder(studio)).toEqual(['opensora-tiny']);
  });

  it('refuses a folder that is not a package, a broken ONNX graph and NaN weights, naming the problem; nothing is copied', async () => {
    const studio = openStudio();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-empty-'));
    const notPackage = await refusal(studio.library.add(empty));
    expect(notPackage.code).toBe('INVALID_PARAMS');
    expect(notPackage.message).toBe(`${empty} is not a model package: it has no manifest.json. To use Open-Sora 1.2 checkpoints, import them instead.`);
    expect((await refusal(studio.library.add(path.join(empty, 'nowhere')))).message).toContain('is not a folder');

    const brokenGraph = spoiledCopy((dir) => fs.writeFileSync(path.join(dir, 'denoiser.final.onnx'), Buffer.alloc(7357, 0x5a)));
    const graph = await refusal(studio.library.add(brokenGraph));
    expect(graph.code).toBe('MODEL_INVALID');
    expect(graph.message).toContain('Model package opensora-tiny does not match its manifest: denoiser.final.onnx: cannot load');

    const nanWeights = spoiledCopy((dir) => {
      const file = path.join(dir, 'denoiser.block.01.weights');
      const bytes = fs.readFileSync(file);
      bytes.writeFloatLE(Number.NaN, 64);
      fs.writeFileSync(file, bytes);
    });
    const weights = await refusal(studio.library.add(nanWeights));
    expect(weights.code).toBe('MODEL_INVALID');
    expect(weights.message).toContain('weights file denoiser.block.01.weights holds NaN (first at byte 64)');

    const missingFile = spoiledCopy((dir) => fs.rmSync(path.join(dir, 'vae.temporal.weights')));
    const incomplete = await refusal(studio.library.add(missingFile));
    expect(incomplete.code).toBe('MODEL_INVALID');
    expect(incomplete.message).toContain('weights file vae.temporal.weights is missing');

    expect(modelsFolder(studio)).toEqual([]);
    expect(studio.catalog.list().map((model) => model.id)).toEqual(['shapes-tiny']);
    expect(studio.changed).toEqual([]);
  });

  it('refuses to remove the built-in model, and a model a job uses; removing an added one deletes its folder', async () => {
    const studio = openStudio();
    const builtin = await refusal(studio.library.remove('shapes-tiny'));
    expect(builtin).toMatchObject({ code: 'MODEL_BUILTIN', message: 'shapes-tiny is the built-in model: it is part of the studio and cannot be removed.' });
    expect((await refusal(studio.library.remove('never-added'))).code).toBe('NOT_FOUND');
    await studio.library.add(FIXTURE);
    studio.inUse.add('opensora-tiny');
    expect(await refusal(studio.library.remove('opensora-tiny'))).toMatchObject({ code: 'BUSY', message: expect.stringContaining('used by a queued or running job') });
    expect(modelsFolder(studio)).toEqual(['opensora-tiny']);
    studio.inUse.clear();
    await studio.library.remove('opensora-tiny');
    expect(modelsFolder(studio)).toEqual([]);
    expect(studio.catalog.list().map((model) => model.id)).toEqual(['shapes-tiny']);
    expect(studio.changed).toEqual(['opensora-tiny', 'opensora-tiny']);
    expect(fs.existsSync(path.join(SHIPPED, 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(FIXTURE, 'manifest.json'))).toBe(true);
  });

  it('the registry is the data folder: it survives a restart, a broken entry is listed as broken with its reason, and leftovers are cleared', async () => {
    const first = openStudio();
    await first.library.add(FIXTURE);
    // A studio stopped mid-copy leaves a work folder; the next start clears it and never lists it.
    fs.mkdirSync(path.join(first.modelsDir, '.adding-opensora-tiny-0000'));

    const second = openStudio();
    expect(second.catalog.list().map((model) => model.id)).toEqual(['shapes-tiny', 'opensora-tiny']);
    expect(modelsFolder(second)).toEqual(['opensora-tiny']);

    fs.rmSync(path.join(second.modelsDir, 'opensora-tiny', 'text.final.weights'));
    fs.mkdirSync(path.join(second.modelsDir, 'not-a-package'));
    const third = openStudio();
    expect(third.catalog.list().map((model) => model.id)).toEqual(['shapes-tiny']);
    const broken = third.catalog.broken();
    expect(broken.map((model) => model.id)).toEqual(['not-a-package', 'opensora-tiny']);
    expect(broken[0].reason).toContain('has no manifest.json');
    expect(broken[1].reason).toContain('weights file text.final.weights is missing');
    expect(() => third.catalog.resolve('opensora-tiny')).toThrow(/text\.final\.weights is missing/);
    // A broken entry still holds its id, and can be removed.
    expect((await refusal(third.library.add(FIXTURE))).code).toBe('MODEL_EXISTS');
    await third.library.remove('opensora-tiny');
    expect(third.catalog.broken().map((model) => model.id)).toEqual(['not-a-package']);
  });
});
