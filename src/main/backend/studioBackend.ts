import { isInvokeMethod } from '../../shared/ipc/channels';
import {
  invokeParamSchemas,
  type EventChannel,
  type InvokeMethod,
  type InvokeResult,
  type StudioEvents,
} from '../../shared/ipc/contract';
import type { HistoryQuery } from '../../shared/domain/history';
import type { SaveComparisonInput } from '../../shared/domain/projects';
import { StudioError } from '../../shared/ipc/errors';
import type { EngineClient } from '../engine-host/engineClient';
import type { HistoryRepository } from '../store/historyRepository';
import { GenerationService, type FinishedJob } from './generationService';
import { listModels, manifestHash } from './modelCatalog';
import { preflight } from './preflight';
import type { ProjectsService } from './projectsService';
import { recordFinishedRun } from './recordRun';

export interface StudioBackendOptions {
  /** Folder for generated outputs (one sub-folder per job). */
  outputsDir: string;
  /** The prompt history; absent = not kept. */
  history?: HistoryRepository;
  /** Projects, stored media and saved comparisons (their history replaces `history`); absent = not kept. */
  projects?: ProjectsService;
}

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
  /** Where each started job's run goes (project, lineage), until it is recorded. */
  private readonly placements = new Map<string, { projectId?: string; derivedFrom?: string }>();

  constructor(
    private readonly engine: EngineClient,
    options: StudioBackendOptions,
  ) {
    this.generation = new GenerationService({
      engine,
      outputsDir: options.outputsDir,
      onJobEvent: (event) => this.emit('generation.event', event),
      onQueue: (queue) => this.emit('generation.queue', queue),
      preflight: (request) => preflight(request),
      onFinished: (job) => this.recordFinished(job, options),
    });
    const history = options.projects?.history ?? options.history;
    const projects = (): ProjectsService => {
      if (!options.projects) {
        throw new StudioError('NOT_FOUND', 'Projects are not available: the studio database could not be opened (see the server log).');
      }
      return options.projects;
    };
    this.handlers = {
      'system.info': async () => this.engine.request('system.info', {}),
      'engine.state': async () => this.engine.getState(),
      'app.ping': async (params) => {
        const { echo } = params as { echo: string };
        return { echo, serverTimeMs: Date.now() };
      },
      'models.list': async () => listModels(),
      'generation.start': async (params) => {
        const { projectId, derivedFrom, ...request } = params as Parameters<GenerationService['start']>[0] & { projectId?: string; derivedFrom?: string };
        // Without a database (it could not be opened) runs are not kept, so there is no project to check.
        if (projectId && options.projects) {
          options.projects.projects.require(projectId);
        }
        const started = this.generation.start(request);
        this.placements.set(started.jobId, { projectId, derivedFrom });
        return started;
      },
      'generation.cancel': async (params) => this.generation.cancel((params as { jobId: string }).jobId),
      'generation.finishNow': async (params) => this.generation.finishNow((params as { jobId: string }).jobId),
      'generation.reorder': async (params) => {
        const { jobId, toIndex } = params as { jobId: string; toIndex: number };
        return this.generation.reorder(jobId, toIndex);
      },
      'generation.queue': async () => this.generation.snapshot(),
      'generation.result': async (params) => this.generation.result((params as { jobId: string }).jobId),
      'history.list': async (params) => (history ? history.list(params as HistoryQuery) : { entries: [], total: 0 }),
      'history.delete': async (params) => {
        const { id } = params as { id: string };
        const deleted = options.projects ? options.projects.deleteRun(id) : (history?.delete(id) ?? false);
        if (deleted) {
          this.emit('history.changed', { id });
        }
        return { deleted };
      },
      'history.star': async (params) => {
        const { id, starred } = params as { id: string; starred: boolean };
        return projects().star(id, starred);
      },
      'runs.thumbnail': async (params) => projects().thumbnail((params as { id: string }).id),
      'runs.preview': async (params) => projects().preview((params as { id: string }).id),
      'runs.clip': async (params) => projects().clip((params as { id: string }).id),
      'runs.move': async (params) => {
        const { ids, projectId } = params as { ids: string[]; projectId: string };
        return projects().move(ids, projectId);
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
    };
    options.projects?.connect({ projectsChanged: () => this.emit('projects.changed', {}), historyChanged: (id) => this.emit('history.changed', { id }) });
    engine.onDidChangeState((state) => this.emit('engine.state', state));
  }

  /** Validates and runs one call. Throws StudioError with a code for anything the caller got wrong. */
  async invoke(method: unknown, rawParams: unknown): Promise<unknown> {
    if (!isInvokeMethod(method)) {
      throw new StudioError('UNKNOWN_METHOD', `Unknown method ${JSON.stringify(method)}.`);
    }
    const parsed = invokeParamSchemas[method].safeParse(rawParams ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(params)'}: ${issue.message}`).join('; ');
      throw new StudioError('INVALID_PARAMS', `Invalid params for ${method}: ${issues}`);
    }
    return this.handlers[method](parsed.data);
  }

  private recordFinished(job: FinishedJob, options: StudioBackendOptions): void {
    const placement = this.placements.get(job.jobId) ?? {};
    this.placements.delete(job.jobId);
    const history = options.projects?.history ?? options.history;
    if (!history) {
      return;
    }
    recordFinishedRun(history, job, {
      ...placement,
      projectId: options.projects ? options.projects.placementProject(placement.projectId) : placement.projectId,
      outputsDir: options.outputsDir,
      dataRoot: options.projects?.folder.root,
      manifestHash: job.summary ? manifestHash(job.summary.settings.modelPath) : null,
    });
    this.emit('history.changed', { id: job.jobId });
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
