import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelSummary } from '../../shared/domain/studio';
import { StudioError } from '../../shared/ipc/errors';
import type { ModelUnit } from '../../shared/model/manifest';
import { clipMemoryTable } from '../../shared/model/clipMemory';
import { resolveClip, type ClipSize } from '../../shared/model/clipSize';
import { manifestPasses, manifestWeightsBytes } from '../../shared/model/manifestUnits';
import { readModelPackage, type ModelPackage } from '../engine/package/modelPackage';
import { locateBuiltinModel } from '../engine/paths';

/** A model the studio may generate with: its id and where its package lives. */
export interface RegisteredModel {
  id: string;
  dir: string;
  builtin: boolean;
}

/**
 * The single list of models the studio generates with: the built-in package, plus those registered later (the
 * "Add model…" flow calls register). The transport names models by id only; a path never comes from the UI.
 */
export class ModelCatalog {
  private readonly added = new Map<string, RegisteredModel>();

  constructor(private readonly builtinDir: () => string = locateBuiltinModel) {}

  register(dir: string): RegisteredModel {
    const { manifest, dir: packageDir } = readModelPackage(dir);
    const model = { id: manifest.id, dir: packageDir, builtin: false };
    this.added.set(model.id, model);
    return model;
  }

  /** Every model whose package reads; a broken one is left out (generation with it reports the exact error). */
  list(): ModelSummary[] {
    const summaries: ModelSummary[] = [];
    for (const dir of [this.builtinDir(), ...[...this.added.values()].map((model) => model.dir)]) {
      try {
        summaries.push(summarize(readModelPackage(dir), dir === this.builtinDir()));
      } catch {
        // Left out of the list; see above.
      }
    }
    return summaries;
  }

  /** The package of a registered model (the built-in one when no id is given). Errors name the id, never a path. */
  resolve(modelId: string | undefined): ModelPackage {
    const dir = modelId === undefined ? this.builtinDir() : this.dirOf(modelId);
    let pkg: ModelPackage;
    try {
      pkg = readModelPackage(dir);
    } catch (error) {
      // A registered package's own problem (its messages name files inside it, never their contents).
      throw new StudioError('MODEL_INVALID', (error as Error).message);
    }
    if (modelId !== undefined && pkg.manifest.id !== modelId) {
      throw new StudioError('MODEL_INVALID', `The package registered as ${modelId} now says it is ${pkg.manifest.id}; register it again.`);
    }
    return pkg;
  }

  private dirOf(modelId: string): string {
    const added = this.added.get(modelId);
    if (added) {
      return added.dir;
    }
    const builtin = this.builtinDir();
    try {
      if (readModelPackage(builtin).manifest.id === modelId) {
        return builtin;
      }
    } catch {
      // Falls through to "not registered".
    }
    throw new StudioError('NOT_FOUND', `No registered model has the id ${JSON.stringify(modelId)}; models.list names the models this studio has.`);
  }
}

function summarize(pkg: ModelPackage, builtin: boolean): ModelSummary {
  const { manifest, dir } = pkg;
  const sizes = (units: readonly ModelUnit[]): Array<{ id: string; sizeBytes: number }> => units.map((unit) => ({ id: unit.id, sizeBytes: unit.sizeBytes }));
  const unitPasses = manifestPasses(manifest);
  const passes = {
    text: sizes(unitPasses.text),
    denoiser: sizes(unitPasses.denoiser),
    denoiserMerged: sizes(unitPasses.denoiserMerged),
    decoder: sizes(unitPasses.decoder),
  };
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    path: dir,
    builtin,
    native: nativeClip(resolveClip(manifest, undefined)),
    clipPresets: manifest.architecture === 'opensora-1.2' ? manifest.clip.presets : null,
    clipMemory: clipMemoryTable(manifest),
    defaults: { steps: manifest.sampler.steps, cfgScale: manifest.sampler.cfgScale },
    passes,
    totalBytes: manifestWeightsBytes(manifest),
  };
}

function nativeClip(clip: ClipSize): ModelSummary['native'] {
  return { frames: clip.frames, height: clip.height, width: clip.width, fps: clip.fps };
}

/** SHA-256 (hex) of a model package's manifest.json: which exact package made a run. Null when it cannot be read. */
export function manifestHash(modelPath: string): string | null {
  try {
    return createHash('sha256').update(fs.readFileSync(path.join(modelPath, 'manifest.json'))).digest('hex');
  } catch {
    return null;
  }
}
