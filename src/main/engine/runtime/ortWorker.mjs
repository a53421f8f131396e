// ORT worker: a worker_threads body that owns every InferenceSession it creates.
//
// Why a worker: onnxruntime-node's create() and run() block the calling thread for their whole duration
// (docs/runtime-notes.md §Blocking calls), and a session belongs to the thread that created it. Two of these workers let the engine load
// unit i+1 while unit i runs (CI-DL) with the engine's own thread free.
//
// Plain JS on purpose: it runs unchanged under vitest and after bundling (the bundler copies this file and
// valueMetadata.mjs, its one local import; neither is transformed). Its only other dependency is onnxruntime-node.
// The protocol is typed in types.ts (WorkerRequest/WorkerReply).
//
// Requests are handled strictly one at a time, in arrival order: create() and run() yield to setImmediate inside
// ORT, so without the queue a later message could start while an earlier create is still pending.

import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { describeValueMetadata } from './valueMetadata.mjs';

if (!parentPort) {
  throw new Error('ortWorker.mjs must run inside a worker_threads Worker');
}
const port = parentPort;

/** @type {Map<string, import('onnxruntime-node').InferenceSession>} */
const sessions = new Map();

// A run's feeds are garbage once it returns, and a released session's wrappers once it is gone; V8 would collect them
// only when its heap or external-memory limits (tens of MB per thread) say so, so RSS would carry up to that much
// dead memory that no budget counts. This thread's heap holds little else, so a full collection costs about a
// millisecond. `gc` is exposed at run time (process-wide flag; a fresh context carries the function).
v8.setFlagsFromString('--expose-gc');
const collectGarbage = globalThis.gc ?? vm.runInNewContext('gc');

/** Shared time base across threads: epoch milliseconds with sub-millisecond resolution. */
const nowMs = () => performance.timeOrigin + performance.now();

const ARRAY_TYPES = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

class WorkerFailure extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const READ_CHUNK_BYTES = 8 * 1024 * 1024;
/** One chunk buffer for every read-through on this thread: the bytes are discarded, only the page cache keeps them. */
let readChunk = null;

/** Reads a whole file once, in large sequential reads, so its pages are in the page cache; returns the bytes read. */
function readThrough(filePath) {
  readChunk ??= Buffer.allocUnsafe(READ_CHUNK_BYTES);
  const fd = fs.openSync(filePath, 'r');
  try {
    let total = 0;
    for (;;) {
      const bytes = fs.readSync(fd, readChunk, 0, READ_CHUNK_BYTES, null);
      if (bytes === 0) {
        return total;
      }
      total += bytes;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function sessionFor(unitId) {
  const session = sessions.get(unitId);
  if (!session) {
    throw new WorkerFailure('E_NOT_LOADED', `unit ${unitId} is not loaded on this worker`);
  }
  return session;
}

function toOrtTensor(unitId, name, feed) {
  const ArrayType = ARRAY_TYPES[feed?.dtype];
  if (!ArrayType) {
    throw new WorkerFailure('E_BAD_FEED', `${unitId}: feed "${name}" has unsupported dtype ${String(feed?.dtype)}`);
  }
  if (!(feed.data instanceof ArrayBuffer)) {
    throw new WorkerFailure('E_BAD_FEED', `${unitId}: feed "${name}" carries no ArrayBuffer`);
  }
  const count = feed.dims.reduce((n, d) => n * d, 1);
  const expectedBytes = count * ArrayType.BYTES_PER_ELEMENT;
  if (feed.data.byteLength !== expectedBytes) {
    const hint = feed.data.byteLength === 0 && expectedBytes > 0 ? ' (its buffer was probably transferred earlier: list it in keepFeeds)' : '';
    throw new WorkerFailure(
      'E_BAD_FEED',
      `${unitId}: feed "${name}" ${feed.dtype} [${feed.dims.join(', ')}] needs ${expectedBytes} bytes, got ${feed.data.byteLength}${hint}`,
    );
  }
  return new ort.Tensor(feed.dtype, new ArrayType(feed.data), feed.dims);
}

/** Copies out of ORT's typed array only when it does not own its whole buffer, so the buffer can be transferred. */
function toTensorData(tensor) {
  const view = tensor.data;
  if (!ArrayBuffer.isView(view)) {
    throw new WorkerFailure('E_RUN_FAILED', `output of type ${tensor.type} cannot cross threads`);
  }
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
  const data = whole ? view.buffer : view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return { dtype: tensor.type, dims: [...tensor.dims], data };
}

const handlers = {
  async load(request) {
    if (sessions.has(request.unitId)) {
      throw new WorkerFailure('E_ALREADY_LOADED', `unit ${request.unitId} is already loaded on this worker`);
    }
    const startMs = nowMs();
    let session;
    try {
      session = await ort.InferenceSession.create(request.model ?? request.path, request.sessionOptions ?? {});
    } catch (error) {
      throw new WorkerFailure('E_LOAD_FAILED', `${request.unitId}: cannot load ${request.path}: ${messageOf(error)}`);
    }
    sessions.set(request.unitId, session);
    let readBytes = 0;
    if (request.readThroughPath) {
      try {
        readBytes = readThrough(request.readThroughPath);
      } catch (error) {
        sessions.delete(request.unitId);
        await session.release();
        throw new WorkerFailure('E_LOAD_FAILED', `${request.unitId}: cannot read ${request.readThroughPath}: ${messageOf(error)}`);
      }
    }
    const endMs = nowMs();
    return { result: { startMs, endMs, readBytes, inputs: describeValueMetadata(session.inputMetadata), outputs: describeValueMetadata(session.outputMetadata) }, transfer: [] };
  },

  async run(request) {
    const session = sessionFor(request.unitId);
    const feeds = {};
    for (const [name, feed] of Object.entries(request.feeds)) {
      feeds[name] = toOrtTensor(request.unitId, name, feed);
    }
    const startMs = nowMs();
    let results;
    try {
      results = request.outputNames.length > 0 ? await session.run(feeds, [...request.outputNames]) : await session.run(feeds);
    } catch (error) {
      throw new WorkerFailure('E_RUN_FAILED', `${request.unitId}: ${messageOf(error)}`);
    }
    const endMs = nowMs();
    const outputs = {};
    const transfer = [];
    for (const [name, tensor] of Object.entries(results)) {
      outputs[name] = toTensorData(tensor);
      transfer.push(outputs[name].data);
    }
    return { result: { startMs, endMs, outputs }, transfer };
  },

  async release(request) {
    const startMs = nowMs();
    const session = sessions.get(request.unitId);
    sessions.delete(request.unitId);
    if (session) {
      await session.release();
    }
    return { result: { startMs, endMs: nowMs(), released: Boolean(session) }, transfer: [] };
  },

  async releaseAll() {
    const startMs = nowMs();
    const releasedUnitIds = [...sessions.keys()];
    const all = [...sessions.values()];
    sessions.clear();
    for (const session of all) {
      await session.release();
    }
    return { result: { startMs, endMs: nowMs(), releasedUnitIds }, transfer: [] };
  },

  async list() {
    return { result: { unitIds: [...sessions.keys()] }, transfer: [] };
  },
};

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

async function handle(request) {
  const handler = handlers[request?.op];
  try {
    if (!handler) {
      throw new WorkerFailure('E_BAD_REQUEST', `unknown op ${String(request?.op)}`);
    }
    const { result, transfer } = await handler(request);
    if (request.op === 'release' || request.op === 'releaseAll') {
      // Before the reply: once the engine hears "released", the memory is back (its baseline and plan rely on it).
      collectGarbage();
    }
    port.postMessage({ id: request.id, ok: true, result }, transfer);
    if (request.op === 'run') {
      // After the reply: the outputs are on their way, and the dead feeds go while the engine prepares the next unit.
      collectGarbage();
    }
  } catch (error) {
    const code = error instanceof WorkerFailure ? error.code : 'E_UNKNOWN';
    port.postMessage({ id: request?.id, ok: false, error: { code, message: messageOf(error) } });
  }
}

let queue = Promise.resolve();
port.on('message', (request) => {
  queue = queue.then(() => handle(request));
});
