import { isInvokeMethod } from '../../shared/ipc/channels';
import {
  invokeParamSchemas,
  type EventChannel,
  type InvokeMethod,
  type InvokeResult,
  type StudioEvents,
} from '../../shared/ipc/contract';
import type { HistoryQuery } from '../../shared/domain/history';
import { StudioError } from '../../shared/ipc/errors';
import type { EngineClient } from '../engine-host/engineClient';
import type { HistoryRepository } from '../store/historyRepository';
import { GenerationService } from './generationService';
import { listModels } from './modelCatalog';
import { preflight } from './preflight';

export interface StudioBackendOptions {
  /** Folder for generated outputs (one sub-folder per job). */
  outputsDir: string;
  /** The prompt history; absent = not kept. */
  history?: HistoryRepository;
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
      onFinished: (job) => {
        if (options.history) {
          options.history.record({ id: job.jobId, createdAtMs: job.createdAtMs, status: job.status, request: job.request, summary: job.summary, error: job.error });
          this.emit('history.changed', { id: job.jobId });
        }
      },
    });
    const history = options.history;
    this.handlers = {
      'system.info': async () => this.engine.request('system.info', {}),
      'engine.state': async () => this.engine.getState(),
      'app.ping': async (params) => {
        const { echo } = params as { echo: string };
        return { echo, serverTimeMs: Date.now() };
      },
      'models.list': async () => listModels(),
      'generation.start': async (params) => this.generation.start(params as Parameters<GenerationService['start']>[0]),
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
        const deleted = history?.delete(id) ?? false;
        if (deleted) {
          this.emit('history.changed', { id });
        }
        return { deleted };
      },
    };
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
