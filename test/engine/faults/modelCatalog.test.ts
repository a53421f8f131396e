import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../src/shared/ipc/errors';
import { ModelCatalog } from '../../../src/main/backend/modelCatalog';
import { acceptRequest } from '../../../src/main/backend/preflight';

const SHIPPED = path.resolve(__dirname, '../../../models/shapes-tiny');

function thrown(call: () => unknown): StudioError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(StudioError);
    return error as StudioError;
  }
  throw new Error('expected a StudioError');
}

describe('the model catalog: the only way from a model id to a package', () => {
  it('resolves the built-in model (by id or by default) and registered ones; anything else is NOT_FOUND by id', () => {
    const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-models-'));
    const catalog = new ModelCatalog({ builtinDir: () => SHIPPED, modelsDir });
    expect(catalog.resolve(undefined).dir).toBe(SHIPPED);
    expect(catalog.resolve('shapes-tiny').dir).toBe(SHIPPED);
    const copy = path.join(modelsDir, 'shapes-added');
    fs.cpSync(SHIPPED, copy, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8')) as { id: string };
    manifest.id = 'shapes-added';
    fs.writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    expect(thrown(() => catalog.resolve('shapes-elsewhere'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(catalog.resolve('shapes-added').dir).toBe(copy);
    expect(catalog.list().map((model) => [model.id, model.builtin])).toEqual([
      ['shapes-tiny', true],
      ['shapes-added', false],
    ]);
    const missing = thrown(() => catalog.resolve('nope'));
    expect(missing.message).toBe('No registered model has the id "nope"; models.list names the models this studio has.');
  });

  it('hands the engine the package folder, and refuses settings the model cannot take before queueing', () => {
    const catalog = new ModelCatalog({ builtinDir: () => SHIPPED });
    const accepted = acceptRequest(catalog, { prompt: 'a red circle', modelId: 'shapes-tiny', steps: 12 });
    expect(accepted).toEqual({ engineRequest: { prompt: 'a red circle', steps: 12, modelPath: SHIPPED }, steps: 12 });
    const shipped = JSON.parse(fs.readFileSync(path.join(SHIPPED, 'manifest.json'), 'utf8')) as { sampler: { steps: number } };
    expect(shipped.sampler.steps).not.toBe(12);  // (so the two checks can tell the request's steps from the default)
    expect(acceptRequest(catalog, { prompt: 'a red circle' }).steps).toBe(shipped.sampler.steps);
    expect(thrown(() => acceptRequest(catalog, { prompt: 'a red circle', steps: 5, lpl: { kind: 'fixed', leapStep: 5 } })).code).toBe('INVALID_PARAMS');
  });
});
