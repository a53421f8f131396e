import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { modelIdSchema } from '@shared/domain/generation';
import type { BrokenModel } from '@shared/domain/models';
import type { ModelSummary } from '@shared/domain/studio';
import { referenceFrameSupport } from '@shared/model/referenceFrames';
import { StudioError } from '@shared/ipc/errors';
import type { ModelUnit } from '@shared/model/manifest';
import { clipMemoryTable } from '@shared/model/clipMemory';
import { resolveClip, type ClipSize } from '@shared/model/clipSize';
import { manifestWeightsBytes } from '@shared/model/manifestUnits';
import { mapUnitPasses, unitPasses } from '@shared/model/unitPasses';
import { loadedUnitBytes } from '@shared/model/memoryPlan';
import { MAX_MANIFEST_BYTES, readModelPackage, type ModelPackage } from '../engine/package/modelPackage';
import { readFolderFile, realFolder } from '../engine/package/packageFiles';
import { locateBuiltinModel } from '../engine/paths';

export interface ModelCatalogOptions {
  /** The built-in package (default: models/shapes-tiny next to the studio). */
  builtinDir?: () => string;
  /**
   * The data folder's models/ folder: each sub-folder is one added model, named by its id (the "Add model…" flow
   * writes them; see ModelLibrary). Folders starting with "." are work in progress and never listed. Absent: the
   * built-in model only.
   */
  modelsDir?: string;
}

/**
 * The single list of models the studio generates with: the built-in package, plus the packages in the data folder's
 * models/ folder (read from disk on every call, so what is there after a restart is what is listed). The transport
 * names models by id only; a path never comes from the UI for generation.
 */
export class ModelCatalog {
  private readonly builtinDir: () => string;
  readonly modelsDir: string | undefined;

  constructor(options: ModelCatalogOptions = {}) {
    this.builtinDir = options.builtinDir ?? locateBuiltinModel;
    this.modelsDir = options.modelsDir;
  }

  /** Every model whose package reads, the built-in one first; a broken one is in broken() instead. */
  list(): ModelSummary[] {
    return this.scan().models;
  }

  /** The added models whose package does not read (missing manifest, a file gone, an id that differs from its folder). */
  broken(): BrokenModel[] {
    return this.scan().broken;
  }

  /** The id of the built-in package (undefined when it does not read). */
  builtinId(): string | undefined {
    try {
      return readModelPackage(this.builtinDir()).manifest.id;
    } catch {
      return undefined;
    }
  }

  /** Whether an id is taken: by the built-in model or by a folder in the data folder (broken or not). */
  has(modelId: string): boolean {
    return modelId === this.builtinId() || this.addedIds().includes(modelId);
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
      throw new StudioError('MODEL_INVALID', `The package registered as ${modelId} now says it is ${pkg.manifest.id}; remove it and add it again.`);
    }
    return pkg;
  }

  /** The folder an added model lives in (whether or not it exists yet). */
  addedDir(modelId: string): string {
    if (!this.modelsDir || !modelIdSchema.safeParse(modelId).success) {
      throw new StudioError('NOT_FOUND', `No registered model has the id ${JSON.stringify(modelId)}; models.list names the models this studio has.`);
    }
    return path.join(this.modelsDir, modelId);
  }

  private addedIds(): string[] {
    if (!this.modelsDir || !fs.existsSync(this.modelsDir)) {
      return [];
    }
    return fs
      .readdirSync(this.modelsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && modelIdSchema.safeParse(entry.name).success)
      .map((entry) => entry.name)
      .sort();
  }

  private scan(): { models: ModelSummary[]; broken: BrokenModel[] } {
    const models: ModelSummary[] = [];
    const broken: BrokenModel[] = [];
    try {
      models.push(summarize(readModelPackage(this.builtinDir()), true));
    } catch {
      // The built-in package is part of the install; generation with it reports the exact error.
    }
    const builtinId = models[0]?.id;
    for (const id of this.addedIds()) {
      try {
        const pkg = readModelPackage(path.join(this.modelsDir ?? '', id));
        if (pkg.manifest.id !== id || id === builtinId) {
          throw new Error(`the folder ${id} holds the package ${pkg.manifest.id}${id === builtinId ? ', the built-in model\'s id' : ''}`);
        }
        models.push(summarize(pkg, false));
      } catch (error) {
        broken.push({ id, reason: (error as Error).message });
      }
    }
    return { models, broken };
  }

  private dirOf(modelId: string): string {
    if (modelId === this.builtinId()) {
      return this.builtinDir();
    }
    if (this.addedIds().includes(modelId)) {
      return this.addedDir(modelId);
    }
    throw new StudioError('NOT_FOUND', `No registered model has the id ${JSON.stringify(modelId)}; models.list names the models this studio has.`);
  }
}

function summarize(pkg: ModelPackage, builtin: boolean): ModelSummary {
  const { manifest, dir } = pkg;
  // Budgeted as the engine budgets them: weights plus a session's overhead (memoryPlan.loadedUnitBytes).
  const passes = mapUnitPasses(unitPasses(manifest), (unit: ModelUnit) => ({ id: unit.id, sizeBytes: loadedUnitBytes(unit.sizeBytes) }));
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
    referenceFrames: referenceFrameSupport(manifest),
  };
}

function nativeClip(clip: ClipSize): ModelSummary['native'] {
  return { frames: clip.frames, height: clip.height, width: clip.width, fps: clip.fps };
}

/** SHA-256 (hex) of a model package's manifest.json: which exact package made a run. Null when it cannot be read. */
export function manifestHash(modelPath: string): string | null {
  try {
    // Read as the package reader reads it (a regular file inside the folder), so a pipe there cannot stall the host.
    return createHash('sha256').update(readFolderFile(realFolder(modelPath), 'manifest.json', 'manifest', MAX_MANIFEST_BYTES)).digest('hex');
  } catch {
    return null;
  }
}
