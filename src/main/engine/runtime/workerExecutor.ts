/**
 * WorkerExecutor: one worker_threads Worker running ortWorker.mjs, with promise-returning load/run/release.
 * Sessions live in the worker that created them, so the executor (not the engine thread) is their owner; the
 * caller names them by unit id. `index` is the executor's number, used as the "thread" column of timelines.
 *
 * Where ortWorker.mjs is: by default next to this module (resolved from import.meta.url), which holds under vitest
 * (src/main/engine/runtime/) and in a bundle that copies ortWorker.mjs next to the chunk containing this code. The
 * bundled app may place it elsewhere (e.g. out/main/ or app.asar.unpacked/...), so `workerPath` overrides it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { hasFreeDimensionOverrides, sessionSource } from './staticShapes';
import {
  OrtRuntimeError,
  tensorSizeBytes,
  type ListReply,
  type LoadReply,
  type ReleaseAllReply,
  type ReleaseReply,
  type RunReply,
  type SessionOptions,
  type TensorMap,
  type WorkerReply,
  type WorkerRequest,
} from './types';

export const ORT_WORKER_FILE_NAME = 'ortWorker.mjs';

/** Where ortWorker.mjs is expected when no explicit path is given: next to this module (or its bundle chunk). */
export function defaultOrtWorkerPath(): string {
  return fileURLToPath(new URL(`./${ORT_WORKER_FILE_NAME}`, import.meta.url));
}

export interface WorkerExecutorOptions {
  /** Executor number, shown as the thread in timelines. */
  readonly index: number;
  /** Absolute path of ortWorker.mjs; defaults to defaultOrtWorkerPath(). */
  readonly workerPath?: string;
}

export interface RunOptions {
  /** Outputs to fetch; default every output of the graph. */
  readonly outputNames?: readonly string[];
  /**
   * Feeds whose buffers the caller keeps using (e.g. text embeddings fed to every block): these are copied.
   * All other feed buffers are transferred to the worker and are detached (byteLength 0) afterwards.
   */
  readonly keepFeeds?: readonly string[];
}

/** Checked here because a detached buffer cannot even be posted (DataCloneError says nothing useful). */
function describeInvalidFeed(unitId: string, feeds: TensorMap): string | null {
  for (const [name, feed] of Object.entries(feeds)) {
    const expectedBytes = tensorSizeBytes(feed.dtype, feed.dims);
    if (feed.data.byteLength === expectedBytes) {
      continue;
    }
    const hint = feed.data.byteLength === 0 ? ' (its buffer was transferred by an earlier run: list the feed in keepFeeds to reuse it)' : '';
    return `${unitId}: feed "${name}" ${feed.dtype} [${feed.dims.join(', ')}] needs ${expectedBytes} bytes, got ${feed.data.byteLength}${hint}`;
  }
  return null;
}

interface ResultByOp {
  load: LoadReply;
  run: RunReply;
  release: ReleaseReply;
  releaseAll: ReleaseAllReply;
  list: ListReply;
}
type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: OrtRuntimeError) => void;
}

export class WorkerExecutor {
  readonly index: number;
  readonly workerPath: string;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  /** Set once the worker is gone (disposed, crashed or exited); every later request fails with this. */
  private terminalError: OrtRuntimeError | null = null;

  constructor(options: WorkerExecutorOptions) {
    this.index = options.index;
    this.workerPath = options.workerPath ?? defaultOrtWorkerPath();
    if (!existsSync(this.workerPath)) {
      throw new OrtRuntimeError(
        'E_WORKER_NOT_FOUND',
        `ORT worker script not found at ${this.workerPath}; the bundle must ship ${ORT_WORKER_FILE_NAME} there or pass workerPath`,
      );
    }
    this.worker = new Worker(this.workerPath, { name: `ort-executor-${this.index}` });
    this.worker.on('message', (reply: WorkerReply) => this.settle(reply));
    this.worker.on('error', (error: Error) => {
      this.failAll(new OrtRuntimeError('E_WORKER_EXITED', `ORT executor ${this.index} crashed: ${error.message}`, { cause: error }));
    });
    this.worker.on('exit', (exitCode: number) => {
      this.failAll(new OrtRuntimeError('E_WORKER_EXITED', `ORT executor ${this.index} exited (code ${exitCode})`));
    });
    // An idle executor must not keep the process alive; it is re-referenced while a request is pending.
    this.worker.unref();
  }

  /**
   * Creates a session for `unitId` from an ONNX file (external weights are read from next to it); with
   * `readThroughPath`, the worker then reads that file through (types.ts, the load request).
   */
  load(unitId: string, modelPath: string, sessionOptions: SessionOptions, readThroughPath?: string): Promise<LoadReply> {
    const readThrough = readThroughPath === undefined ? {} : { readThroughPath };
    if (!hasFreeDimensionOverrides(sessionOptions)) {
      return this.request({ op: 'load', unitId, path: modelPath, sessionOptions, ...readThrough }, []);
    }
    // Static shapes: the graph is rewritten here (onnxruntime-node drops the option) and its bytes move to the worker.
    return sessionSource(modelPath, sessionOptions).then(({ model, options }) => {
      const bytes = new Uint8Array(model as Uint8Array); // its own buffer, so it can be transferred
      return this.request({ op: 'load', unitId, path: modelPath, model: bytes, sessionOptions: options, ...readThrough }, [bytes.buffer]);
    });
  }

  /** Runs a loaded unit. Output buffers are transferred back and owned by the caller. */
  run(unitId: string, feeds: TensorMap, options: RunOptions = {}): Promise<RunReply> {
    const invalid = describeInvalidFeed(unitId, feeds);
    if (invalid) {
      return Promise.reject(new OrtRuntimeError('E_BAD_FEED', invalid));
    }
    const keep = new Set(options.keepFeeds ?? []);
    const keptBuffers = new Set<ArrayBuffer>();
    for (const [name, feed] of Object.entries(feeds)) {if (keep.has(name)) {keptBuffers.add(feed.data);}}
    // A buffer may back several feeds; list it once, and never transfer one the caller keeps.
    const transfer = new Set<ArrayBuffer>();
    for (const feed of Object.values(feeds)) {if (!keptBuffers.has(feed.data) && feed.data.byteLength > 0) {transfer.add(feed.data);}}
    return this.request({ op: 'run', unitId, feeds, outputNames: options.outputNames ?? [] }, [...transfer]);
  }

  /** Releases a unit's session; resolves `released: false` if it was not loaded. */
  release(unitId: string): Promise<ReleaseReply> {
    return this.request({ op: 'release', unitId }, []);
  }

  releaseAll(): Promise<ReleaseAllReply> {
    return this.request({ op: 'releaseAll' }, []);
  }

  /** Unit ids with a live session in the worker (asks the worker, the source of truth). */
  async listLoaded(): Promise<readonly string[]> {
    return (await this.request({ op: 'list' }, [])).unitIds;
  }

  get disposed(): boolean {
    return this.terminalError !== null;
  }

  /** Releases every session, then ends the worker. Idempotent. */
  async dispose(): Promise<void> {
    if (this.terminalError) {
      return;
    }
    try {
      await this.releaseAll();
    } finally {
      this.failAll(new OrtRuntimeError('E_DISPOSED', `ORT executor ${this.index} is disposed`));
      await this.worker.terminate();
    }
  }

  private request<Op extends keyof ResultByOp>(body: RequestBody & { op: Op }, transfer: ArrayBuffer[]): Promise<ResultByOp[Op]> {
    if (this.terminalError) {
      return Promise.reject(this.terminalError);
    }
    const id = this.nextRequestId++;
    return new Promise<ResultByOp[Op]>((resolve, reject) => {
      // The reply crosses a thread boundary; its shape is fixed by the protocol in types.ts.
      this.pending.set(id, { resolve: (result) => resolve(result as ResultByOp[Op]), reject });
      if (this.pending.size === 1) {
        this.worker.ref();
      }
      try {
        this.worker.postMessage({ ...body, id }, transfer);
      } catch (error) {
        this.pending.delete(id);
        if (this.pending.size === 0) {
          this.worker.unref();
        }
        reject(new OrtRuntimeError('E_BAD_FEED', `cannot send ${body.op} to executor ${this.index}: ${String(error)}`, { cause: error }));
      }
    });
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) {
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) {
      this.worker.unref();
    }
    if (reply.ok) {
      pending.resolve(reply.result);
    }
    else {
      pending.reject(new OrtRuntimeError(reply.error.code, reply.error.message));
    }
  }

  private failAll(error: OrtRuntimeError): void {
    if (!this.terminalError) {
      this.terminalError = error;
    }
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const pending of waiting) {
      pending.reject(error);
    }
  }
}
