import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelImportEvent } from '@shared/domain/models';
import type { ModelSummary } from '@shared/domain/studio';
import { serializeError, StudioError } from '@shared/ipc/errors';
import { modelIdSchema } from '@shared/domain/generation';
import { readModelPackage } from '../engine/package/modelPackage';
import type { ModelCatalog } from './modelCatalog';
import { copyPackage, planPackageCopy } from './packageCopy';
import { importOpenSoraCheckpoints, type CheckpointFolders, type ImportOptions, type ImportResult } from './modelImport';

export interface ModelLibraryOptions {
  catalog: ModelCatalog;
  /** The full check of a package folder (ONNX units vs manifest, weights finite), run where the ONNX runtime lives. */
  checkPackage: (dir: string) => Promise<void>;
  /** A model was added or removed. */
  onChanged: (modelId: string) => void;
  onImportEvent: (event: ModelImportEvent) => void;
  /** Whether a queued or running job uses the model (it is then not removed). */
  inUse?: (modelId: string) => boolean;
  /** The built import-model CLI (out/main/importModel.js) that "Import checkpoints" runs in a child process. */
  importerEntry?: string;
  /** Replaces the child-process importer (tests). */
  importCheckpoints?: (options: ImportOptions) => Promise<ImportResult>;
}

/** Prefixes of the work folders inside models/: the catalog never lists a "." folder, and start-up clears them. */
const WORK_PREFIXES = ['.adding-', '.importing-', '.removing-'];

/**
 * Adds models to the data folder's models/ folder and removes them: a package folder is checked in full, copied to a
 * hidden work folder and renamed to models/<id> only when complete; checkpoints are imported straight into a work
 * folder the same way. A refusal or a failure leaves nothing behind, and models already there are never touched.
 */
export class ModelLibrary {
  private readonly modelsDir: string;
  private runningImport: { importId: string; abort: AbortController } | null = null;

  constructor(private readonly options: ModelLibraryOptions) {
    if (!options.catalog.modelsDir) {
      throw new Error('ModelLibrary needs a catalog with a models folder.');
    }
    this.modelsDir = options.catalog.modelsDir;
    this.clearWorkFolders();
  }

  /** Checks the package folder at sourcePath, copies it to models/<its id> and returns its summary. */
  async add(sourcePath: string): Promise<ModelSummary> {
    const source = path.resolve(sourcePath);
    const stat = fs.statSync(source, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) {
      throw new StudioError('INVALID_PARAMS', `${source} is not a folder: choose the folder that holds the package's manifest.json.`);
    }
    if (isInside(source, this.modelsDir)) {
      throw new StudioError('INVALID_PARAMS', `${source} is inside the studio's models folder: it is already the studio's own copy.`);
    }
    if (!fs.lstatSync(path.join(source, 'manifest.json'), { throwIfNoEntry: false })) {
      throw new StudioError('INVALID_PARAMS', `${source} is not a model package: it has no manifest.json. To use Open-Sora 1.2 checkpoints, import them instead.`);
    }
    // The package's own files are checked as they are read (regular files inside the folder); then the whole tree is
    // walked before anything else opens it: a pipe, a device or a link out of the folder is refused here, at once.
    const id = this.refuseTaken(readPackageId(source));
    const plan = planPackageCopy(source);
    await this.options.checkPackage(source);
    const work = this.workFolder('.adding-', id);
    try {
      // Regular files only: a link inside the package is copied as what it points at, so the copy stands alone.
      await copyPackage(plan, work);
      return this.commit(work, id);
    } finally {
      await fs.promises.rm(work, { recursive: true, force: true });
    }
  }

  /** Deletes an added model's folder; the built-in model is refused. */
  async remove(modelId: string): Promise<void> {
    const { catalog } = this.options;
    if (modelId === catalog.builtinId()) {
      throw new StudioError('MODEL_BUILTIN', `${modelId} is the built-in model: it is part of the studio and cannot be removed.`);
    }
    if (!catalog.has(modelId)) {
      throw new StudioError('NOT_FOUND', `No added model has the id ${JSON.stringify(modelId)}.`);
    }
    if (this.options.inUse?.(modelId)) {
      throw new StudioError('BUSY', `${modelId} is used by a queued or running job: cancel it or let it finish, then remove the model.`);
    }
    // Renamed away first: a half-deleted folder is never listed as a (broken) model.
    const doomed = this.workFolder('.removing-', modelId);
    await fs.promises.rename(catalog.addedDir(modelId), doomed);
    this.options.onChanged(modelId);
    await fs.promises.rm(doomed, { recursive: true, force: true });
  }

  /** Starts importing the three checkpoint folders; one import at a time. Progress and the end arrive as events. */
  startImport(checkpoints: CheckpointFolders & { name?: string }): { importId: string } {
    if (this.runningImport) {
      throw new StudioError('BUSY', 'An import is already running: wait for it to finish or cancel it.');
    }
    const importId = randomBytes(8).toString('hex');
    const abort = new AbortController();
    this.runningImport = { importId, abort };
    void this.runImport(importId, checkpoints, abort.signal).finally(() => {
      if (this.runningImport?.importId === importId) {
        this.runningImport = null;
      }
    });
    return { importId };
  }

  cancelImport(importId: string): boolean {
    if (this.runningImport?.importId !== importId) {
      return false;
    }
    this.runningImport.abort.abort();
    return true;
  }

  private async runImport(importId: string, checkpoints: CheckpointFolders & { name?: string }, signal: AbortSignal): Promise<void> {
    const { onImportEvent } = this.options;
    const { importerEntry } = this.options;
    const importCheckpoints =
      this.options.importCheckpoints ??
      (importerEntry
        ? (options: ImportOptions) => importOpenSoraCheckpoints(importerEntry, options)
        : () => Promise.reject(new StudioError('INTERNAL', 'This studio was started without the checkpoint importer (importModel.js): rebuild it with `npm run build`.')));
    const work = this.workFolder('.importing-', importId);
    let end: ModelImportEvent;
    try {
      await fs.promises.mkdir(work, { recursive: true });
      // The importer builds its own hidden sibling of outDir and renames it when complete.
      const outDir = path.join(work, 'package');
      const { stdit, vae, t5, name } = checkpoints;
      await importCheckpoints({
        checkpoints: { stdit, vae, t5 },
        outDir,
        name,
        signal,
        onProgress: (progress) => onImportEvent({ importId, kind: 'progress', unitId: progress.unitId, done: progress.done, total: progress.total, elapsedMs: progress.elapsedMs }),
      });
      const id = this.refuseTaken(readPackageId(outDir));
      // The importer's own output passes the same check as a package folder added by hand.
      await this.options.checkPackage(outDir);
      end = { importId, kind: 'done', model: this.commit(outDir, id) };
    } catch (error) {
      end = { importId, kind: 'failed', error: serializeError(error) };
    } finally {
      await fs.promises.rm(work, { recursive: true, force: true });
    }
    // The import is over once its work folder is gone: a new one may start as soon as the end is announced.
    this.runningImport = null;
    onImportEvent(end);
  }

  /** Moves a complete package folder to models/<id>, announces it and returns its summary. */
  private commit(work: string, id: string): ModelSummary {
    const target = this.options.catalog.addedDir(id);
    this.refuseTaken(id);
    fs.renameSync(work, target);
    this.options.onChanged(id);
    const summary = this.options.catalog.list().find((model) => model.id === id);
    if (!summary) {
      throw new StudioError('MODEL_INVALID', `The package ${id} was copied but does not read: ${this.options.catalog.broken().find((model) => model.id === id)?.reason ?? 'unknown reason'}.`);
    }
    return summary;
  }

  private refuseTaken(id: string): string {
    const { catalog } = this.options;
    if (catalog.has(id)) {
      const existing = catalog.list().find((model) => model.id === id);
      const named = existing ? `${existing.name} ${existing.version}` : 'a model whose package does not read';
      throw new StudioError('MODEL_EXISTS', `A model with the id ${id} is already registered (${named}${id === catalog.builtinId() ? ', the built-in model' : ''}): remove it first, or give the package another id.`);
    }
    return id;
  }

  private workFolder(prefix: string, name: string): string {
    fs.mkdirSync(this.modelsDir, { recursive: true });
    return path.join(this.modelsDir, `${prefix}${name}-${randomBytes(4).toString('hex')}`);
  }

  /** Work folders left by a studio that stopped mid-way (a crash, a power cut) hold nothing registered. */
  private clearWorkFolders(): void {
    if (!fs.existsSync(this.modelsDir)) {
      return;
    }
    for (const entry of fs.readdirSync(this.modelsDir)) {
      if (WORK_PREFIXES.some((prefix) => entry.startsWith(prefix))) {
        fs.rmSync(path.join(this.modelsDir, entry), { recursive: true, force: true });
      }
    }
  }
}

/** The id a package states, refused unless it can name a folder (models/<id>) and travel as a model id. */
function readPackageId(dir: string): string {
  let id: string;
  try {
    id = readModelPackage(dir).manifest.id;
  } catch (error) {
    throw new StudioError('MODEL_INVALID', (error as Error).message);
  }
  if (!modelIdSchema.safeParse(id).success) {
    throw new StudioError('MODEL_INVALID', `The package's id ${JSON.stringify(id.slice(0, 100))} is not usable: ids are 1–100 lowercase letters, digits, ".", "_" or "-".`);
  }
  return id;
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(path.resolve(parent), child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
