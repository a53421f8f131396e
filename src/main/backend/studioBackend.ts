import path from 'node:path';
import { isInvokeMethod } from '@shared/ipc/channels';
import {
  invokeParamSchemas,
  type EventChannel,
  type InvokeMethod,
  type InvokeResult,
  type StudioEvents,
} from '@shared/ipc/contract';
import type { HistoryQuery } from '@shared/domain/history';
import type { SaveComparisonInput } from '@shared/domain/projects';
import type { JobId } from '@shared/domain/studio';
import type { RunExportRequest } from '@shared/domain/runExport';
import { StudioError, type SerializedError } from '@shared/ipc/errors';
import { describeIssues } from '@shared/util/describeIssues';
import type { EngineClient } from '../engine-host/engineClient';
import type { RunStore } from '../store/runStore';
import { GenerationService, type FinishedJob, type JobLifecycle, type QueueLimits } from './generationService';
import { manifestHash, ModelCatalog } from './modelCatalog';
import { ModelLibrary } from './modelLibrary';
import { acceptRequest } from './preflight';
import { describeJsonValue } from './describeJsonValue';
import { exceedsDepth, MAX_PARAMS_DEPTH } from './nestingDepth';
import type { ProjectsService } from './projectsService';
import { keepRunMedia } from './recordRun';
import { stageReference } from './referenceInput';
import { exportRun, type RunExportOptions } from './runExport';
import { mediaUrlsOf, protocolMediaUrls, type MediaUrls } from './mediaRoute';
import type { OutputsFolderSetting } from './outputsCopy';
import { listRunMedia } from '../store/dataFolder';
import type { FinishedRun } from '../store/runLog';

export interface StudioBackendOptions {
  /** Folder for generated outputs (one sub-folder per job). */
  outputsDir: string;
  /** The run history; absent = not kept. */
  runs?: RunStore;
  /** Projects, stored media and saved comparisons (on the run history's database); absent = not kept. */
  projects?: ProjectsService;
  /** The models generation may use; default: the built-in package plus those in modelsDir. */
  catalog?: ModelCatalog;
  /** The data folder's models/ folder, where "Add model…" puts packages (ignored when a catalog is given). */
  modelsDir?: string;
  /** The desktop app's native folder chooser for "Add model…"; absent in browser mode, where the path is typed. */
  pickFolder?: () => Promise<string | null>;
  queueLimits?: QueueLimits;
  /** The outputs-folder setting (finished clips also saved there); absent: not offered. */
  outputsFolder?: OutputsFolderSetting;
  /** The desktop app's save dialog for exports (null: cancelled); absent in browser mode, where exports are downloaded. */
  saveAs?: RunExportOptions['saveAs'];
  /** Shows a file selected in the system's file manager (Electron: shell.showItemInFolder); absent: not offered. */
  revealFile?: (file: string) => Promise<void>;
  /** Why the database could not be opened at start, and the fix (the window shows it in a banner). */
  storeUnavailable?: { reason: string; fix: string };
  /** How files of the data folder become URLs for the renderer (default: the Electron protocol's). */
  media?: MediaUrls;
  /** The built import-model CLI (out/main/importModel.js), run in a child process by "Import checkpoints". */
  importerEntry?: string;
}

/** The package check reads every weights file once (about a second per GB) and opens every unit: minutes at most. */
const PACKAGE_CHECK_TIMEOUT_MS = 10 * 60_000;

type Handlers = { [M in InvokeMethod]: (params: unknown) => Promise<InvokeResult<M>> };
type EventListener = <C extends EventChannel>(channel: C, payload: StudioEvents[C]) => void;

/**
 * The transport-independent backend: Electron's ipcMain router and the browser-mode WebSocket server both
 * hand it (method, raw params) and forward its events. Every payload is validated here, where it enters.
 */
export class StudioBackend {
  private readonly listeners = new Set<EventListener>();
  private readonly handlers: Handlers;

  private readonly generation: GenerationService;

  constructor(
    private readonly engine: EngineClient,
    options: StudioBackendOptions,
  ) {
    const catalog = options.catalog ?? new ModelCatalog({ modelsDir: options.modelsDir });
    const library = catalog.modelsDir
      ? new ModelLibrary({
          catalog,
          checkPackage: async (dir) => {
            await engine.request('package.check', { modelPath: dir }, undefined, { timeoutMs: PACKAGE_CHECK_TIMEOUT_MS, label: `Checking the package ${dir}` });
          },
          onChanged: (id) => this.emit('models.changed', { id }),
          onImportEvent: (event) => this.emit('models.import', event),
          inUse: (id) => this.generation.usesModel(id),
          importerEntry: options.importerEntry,
        })
      : undefined;
    const outputsFolder = (): OutputsFolderSetting => {
      if (!options.outputsFolder) {
        throw new StudioError('UNKNOWN_METHOD', 'This studio was started without a data folder for settings.');
      }
      return options.outputsFolder;
    };
    const libraryOrRefuse = (): ModelLibrary => {
      if (!library) {
        throw new StudioError('INTERNAL', 'This studio was started without a data folder for models: models cannot be added or removed.');
      }
      return library;
    };
    const runs = options.runs;
    const media = options.media ?? protocolMediaUrls(options.projects?.folder.root ?? path.dirname(options.outputsDir));
    this.generation = new GenerationService({
      engine,
      outputsDir: options.outputsDir,
      onJobEvent: (event) => this.emit('generation.event', event),
      onQueue: (queue) => this.emit('generation.queue', queue),
      accept: (request) => acceptRequest(catalog, request),
      stageReference: (reference, jobDir) => stageReference(reference, jobDir, (runId) => options.projects?.runFolder(runId) ?? this.generation.jobFolder(runId)),
      limits: options.queueLimits,
      afterDone: (job) => {
        try {
          options.outputsFolder?.copyFinished(job.prompt, job.summary.outputs);
        } catch (error) {
          this.emit('generation.event', { jobId: job.jobId, event: { kind: 'warning', message: `The clip could not be saved to the outputs folder: ${(error as Error).message}` } });
        }
      },
      lifecycle: runs ? this.recordLifecycle(runs, options) : undefined,
    });
    runs?.onHealth((health) => {
      this.emit('store.health', health);
      if (health.kind === 'ok') {
        // What waited in memory is on disk now: lists refresh.
        this.emit('history.changed', { id: '' });
      }
    });
    const projects = (): ProjectsService => {
      if (!options.projects) {
        throw new StudioError('NOT_FOUND', 'Projects are not available: the studio database could not be opened (see the server log).');
      }
      return options.projects;
    };
    // A locked or full database file gives the typed STORAGE_UNAVAILABLE, as the run history's own calls do.
    const guarded = <T>(call: () => T): T => (runs ? runs.guard('changed', call) : call());
    this.handlers = {
      'system.info': async () => this.engine.request('system.info', {}),
      'engine.state': async () => this.engine.getState(),
      'app.ping': async (params) => {
        const { echo } = params as { echo: string };
        return { echo, serverTimeMs: Date.now() };
      },
      'models.list': async () => catalog.list(),
      'models.broken': async () => catalog.broken(),
      'models.add': async (params) => libraryOrRefuse().add((params as { path: string }).path),
      'models.import': async (params) => libraryOrRefuse().startImport(params as { stdit: string; vae: string; t5: string; name?: string }),
      'models.cancelImport': async (params) => ({ cancelled: libraryOrRefuse().cancelImport((params as { importId: string }).importId) }),
      'models.remove': async (params) => {
        await libraryOrRefuse().remove((params as { id: string }).id);
        return { removed: true as const };
      },
      'models.pickFolder': async () => {
        if (!options.pickFolder) {
          throw new StudioError('UNKNOWN_METHOD', 'models.pickFolder is offered by the desktop app only: in the browser, type the folder\'s path.');
        }
        return { path: await options.pickFolder() };
      },
      'generation.start': async (params) => {
        const { projectId, derivedFrom, ...request } = params as Parameters<GenerationService['start']>[0] & { projectId?: string; derivedFrom?: string };
        // Without a database (it could not be opened) runs are not kept, so there is no project to check.
        if (projectId && options.projects) {
          options.projects.projects.require(projectId);
        }
        // An extended run descends from the run it continues (its lineage, also in a project archive).
        const lineage = request.reference?.kind === 'extend' ? request.reference.runId : derivedFrom;
        return this.generation.start(request, { projectId, derivedFrom: lineage });
      },
      'generation.cancel': async (params) => this.generation.cancel((params as { jobId: string }).jobId),
      'generation.finishNow': async (params) => this.generation.finishNow((params as { jobId: string }).jobId),
      'generation.reorder': async (params) => {
        const { jobId, toIndex } = params as { jobId: string; toIndex: number };
        return this.generation.reorder(jobId, toIndex);
      },
      'generation.queue': async () => this.generation.snapshot(),
      'generation.result': async (params) => {
        const { jobId, summary, jobDir } = this.generation.result((params as { jobId: string }).jobId);
        const frameUrls = mediaUrlsOf(media, listRunMedia(jobDir).frames);
        if (!frameUrls || frameUrls.length === 0) {
          throw new StudioError('NOT_FOUND', `The frames of job ${jobId} are not in the data folder (${jobDir}).`);
        }
        return { jobId, summary, width: summary.settings.width, height: summary.settings.height, fps: summary.settings.fps, frameUrls };
      },
      'history.list': async (params) => (runs ? runs.list(params as HistoryQuery) : { entries: [], total: 0 }),
      'history.delete': async (params) => {
        const { id } = params as { id: string };
        const { projects: stored } = options;
        // With projects, the run's media folder goes with it.
        const deleted = runs ? (stored ? runs.guard('changed', () => stored.deleteRun(id)) : runs.delete(id)) : false;
        if (deleted) {
          this.emit('history.changed', { id });
        }
        return { deleted };
      },
      'history.star': async (params) => {
        const { id, starred } = params as { id: string; starred: boolean };
        return guarded(() => projects().star(id, starred));
      },
      'runs.thumbnail': async (params) => projects().thumbnail((params as { id: string }).id, media),
      'runs.preview': async (params) => projects().preview((params as { id: string }).id, media),
      'runs.referenceImage': async (params) => projects().referenceImage((params as { id: string }).id, media),
      'runs.clip': async (params) => projects().clip((params as { id: string }).id, media),
      'runs.reveal': async (params) => {
        const { id } = params as { id: string };
        if (!options.revealFile) {
          throw new StudioError('UNKNOWN_METHOD', 'Showing files in the file manager is not offered by this studio.');
        }
        const file = options.projects?.mediaFile(id) ?? this.generation.outputFile(id);
        if (!file) {
          throw new StudioError('NOT_FOUND', `Run ${id} has no files in the data folder.`);
        }
        await options.revealFile(file);
        return { revealed: true as const, file };
      },
      'runs.export': async (params) => {
        const request = params as RunExportRequest;
        const dir = options.projects?.runFolder(request.id) ?? this.generation.jobFolder(request.id);
        if (!dir) {
          throw new StudioError('NOT_FOUND', `No run with id ${request.id}.`);
        }
        return exportRun(dir, `Run ${request.id}`, request, { workDir: path.join(media.dataRoot, 'tmp', 'exports'), media, saveAs: options.saveAs });
      },
      'settings.outputs': async () => outputsFolder().get(),
      'settings.setOutputs': async (params) => outputsFolder().set((params as { copyDir: string | null }).copyDir),
      'runs.move': async (params) => {
        const { ids, projectId } = params as { ids: string[]; projectId: string };
        return guarded(() => projects().move(ids, projectId));
      },
      'projects.list': async () => projects().list(),
      'projects.create': async (params) => projects().create((params as { name: string }).name),
      'projects.rename': async (params) => {
        const { id, name } = params as { id: string; name: string };
        return projects().rename(id, name);
      },
      'projects.delete': async (params) => projects().delete((params as { id: string }).id),
      'projects.export': async (params) => projects().startExport((params as { id: string }).id),
      'projects.exportChunk': async (params) => {
        const { exportId, offset } = params as { exportId: string; offset: number };
        return projects().exportChunk(exportId, offset);
      },
      'projects.importBegin': async (params) => {
        const { fileName, sizeBytes } = params as { fileName: string; sizeBytes: number };
        return projects().beginImport(fileName, sizeBytes);
      },
      'projects.importChunk': async (params) => {
        const { uploadId, offset, dataBase64 } = params as { uploadId: string; offset: number; dataBase64: string };
        return projects().importChunk(uploadId, offset, dataBase64);
      },
      'projects.importFinish': async (params) => projects().finishImport((params as { uploadId: string }).uploadId),
      'comparisons.save': async (params) => projects().saveComparison(params as SaveComparisonInput),
      'comparisons.setRun': async (params) => {
        const { id, position, runId, startError } = params as { id: string; position: number; runId: string | null; startError: string | null };
        return projects().setComparisonRun(id, position, runId, startError);
      },
      'comparisons.list': async (params) => projects().comparisons.list((params as { projectId?: string }).projectId),
      'comparisons.get': async (params) => projects().getComparison((params as { id: string }).id),
      'store.health': async () => runs?.health() ?? (options.storeUnavailable ? { kind: 'unavailable' as const, ...options.storeUnavailable } : { kind: 'ok' as const }),
    };
    options.projects?.connect({ projectsChanged: () => this.emit('projects.changed', {}), historyChanged: (id) => this.emit('history.changed', { id }) });
    engine.onDidChangeState((state) => this.emit('engine.state', state));
  }

  /** Validates and runs one call. Throws StudioError with a code for anything the caller got wrong. */
  async invoke(method: unknown, rawParams: unknown): Promise<unknown> {
    if (!isInvokeMethod(method)) {
      throw new StudioError('UNKNOWN_METHOD', `Unknown method ${describeJsonValue(method)}.`);
    }
    // Checked before the schema walks it: params nested thousands deep must get a typed error, not a stack overflow.
    if (exceedsDepth(rawParams, MAX_PARAMS_DEPTH)) {
      throw new StudioError('INVALID_PARAMS', `Invalid params for ${method}: nested deeper than ${MAX_PARAMS_DEPTH} levels.`);
    }
    const parsed = invokeParamSchemas[method].safeParse(rawParams ?? {});
    if (!parsed.success) {
      throw new StudioError('INVALID_PARAMS', `Invalid params for ${method}: ${describeIssues(parsed.error.issues, '(params)')}`);
    }
    return this.handlers[method](parsed.data);
  }

  /**
   * Writes each lifecycle change of a job to the run history: its project and lineage when it is queued, its media
   * folder (with a thumbnail) and model hash when it ends. A write that cannot be made now waits in the store's queue;
   * the job is told once (a "not-saved" event) and the UI sees the store's health.
   */
  private recordLifecycle(runs: RunStore, options: StudioBackendOptions): JobLifecycle {
    const told = new Set<JobId>();
    const tellOnce = (jobId: JobId, error: SerializedError | undefined): void => {
      if (error && !told.has(jobId)) {
        told.add(jobId);
        this.emit('generation.event', { jobId, event: { kind: 'not-saved', error } });
      }
      this.emit('history.changed', { id: jobId });
    };
    return {
      queued: (job) =>
        tellOnce(
          job.jobId,
          runs.queued({ id: job.jobId, createdAtMs: job.createdAtMs, request: job.request, steps: job.steps, projectId: job.placement.projectId, derivedFrom: job.placement.derivedFrom }),
        ),
      started: (job) => tellOnce(job.jobId, runs.started(job.jobId, job.startedAtMs)),
      finished: (job) => {
        tellOnce(job.jobId, runs.finished(this.finishedRun(job, options)));
        told.delete(job.jobId);
      },
    };
  }

  /** A finished job as the history keeps it; its project may have been deleted meanwhile (it then goes to the default). */
  private finishedRun(job: FinishedJob, options: StudioBackendOptions): FinishedRun {
    const { projects } = options;
    return {
      id: job.jobId,
      createdAtMs: job.createdAtMs,
      status: job.status,
      request: job.request,
      steps: job.steps,
      summary: job.summary,
      error: job.error,
      projectId: projects ? projects.placementProject(job.placement.projectId) : job.placement.projectId,
      derivedFrom: job.placement.derivedFrom,
      manifestHash: job.summary ? manifestHash(job.summary.settings.modelPath) : null,
      mediaDir: keepRunMedia(job, { outputsDir: options.outputsDir, dataRoot: projects?.folder.root }),
    };
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<C extends EventChannel>(channel: C, payload: StudioEvents[C]): void {
    for (const listener of this.listeners) {
      listener(channel, payload);
    }
  }
}
