/**
 * Types shared by the engine thread and the ORT worker (ortWorker.mjs mirrors the protocol in plain JS).
 * Nothing here imports onnxruntime at runtime: tensors cross threads as plain {dtype, dims, data} records whose
 * ArrayBuffers are transferred, not cloned (a 16 MiB clone costs ~26 ms, a transfer ~0.25 ms; docs/runtime-notes.md §Tensors across threads).
 */
import type { InferenceSession } from 'onnxruntime-node';

export type TensorDtype =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int64'
  | 'uint64'
  | 'int32'
  | 'uint32'
  | 'int16'
  | 'uint16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** A tensor as it crosses threads. `data` holds exactly product(dims) elements of `dtype`, little-endian. */
export interface TensorData {
  readonly dtype: TensorDtype;
  readonly dims: readonly number[];
  readonly data: ArrayBuffer;
}

export type TensorMap = Record<string, TensorData>;

/** Input/output metadata reported by a session: fixed dims are numbers, symbolic dims are their names. */
export interface TensorMetadata {
  readonly name: string;
  /** ORT's type name (e.g. "float32"); "non-tensor" for sequence/map values. */
  readonly dtype: string;
  readonly dims: readonly (number | string)[];
}

/**
 * Session options as sent to a worker. They must survive structured cloning, which the ORT options do as long as
 * they carry no functions (execution providers are names or {name, coreMlFlags} records).
 */
export type SessionOptions = InferenceSession.SessionOptions;

/** A time span in the shared time base: performance.timeOrigin + performance.now(), i.e. epoch milliseconds. */
export interface TimeSpanMs {
  readonly startMs: number;
  readonly endMs: number;
}

export type RuntimeErrorCode =
  | 'E_LOAD_FAILED'
  | 'E_RUN_FAILED'
  | 'E_NOT_LOADED'
  | 'E_ALREADY_LOADED'
  | 'E_BAD_FEED'
  | 'E_BAD_REQUEST'
  | 'E_WORKER_EXITED'
  | 'E_WORKER_NOT_FOUND'
  | 'E_DISPOSED'
  | 'E_BUSY'
  | 'E_BUDGET_EXCEEDED'
  | 'E_UNKNOWN';

/** An error from the ORT runtime layer, with a stable code for the engine's error mapping. */
export class OrtRuntimeError extends Error {
  override readonly name = 'OrtRuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// ---- worker protocol -------------------------------------------------------------------------------------------

export type WorkerRequest =
  | {
      readonly id: number;
      readonly op: 'load';
      readonly unitId: string;
      readonly path: string;
      /** The graph to create the session from instead of `path` (static shapes: runtime/staticShapes.ts). */
      readonly model?: Uint8Array;
      readonly sessionOptions: SessionOptions;
      /**
       * A file to read through on this thread once the session exists (the unit's external weights): onnxruntime maps
       * that file instead of reading it, so without this the disk reads of weights that left the page cache would
       * happen as page faults inside the unit's run, where CI-DL cannot hide them.
       */
      readonly readThroughPath?: string;
    }
  | {
      readonly id: number;
      readonly op: 'run';
      readonly unitId: string;
      readonly feeds: TensorMap;
      /** Empty: every output of the graph. */
      readonly outputNames: readonly string[];
    }
  | { readonly id: number; readonly op: 'release'; readonly unitId: string }
  | { readonly id: number; readonly op: 'releaseAll' }
  | { readonly id: number; readonly op: 'list' };

export interface LoadReply extends TimeSpanMs {
  /** Bytes of `readThroughPath` read (0 without one). */
  readonly readBytes: number;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}
export interface RunReply extends TimeSpanMs {
  readonly outputs: TensorMap;
}
export interface ReleaseReply extends TimeSpanMs {
  /** False when the unit was not loaded on that worker (release is idempotent). */
  readonly released: boolean;
}
export interface ReleaseAllReply extends TimeSpanMs {
  readonly releasedUnitIds: readonly string[];
}
export interface ListReply {
  readonly unitIds: readonly string[];
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: LoadReply | RunReply | ReleaseReply | ReleaseAllReply | ListReply }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: RuntimeErrorCode; readonly message: string } };

// ---- tensor helpers --------------------------------------------------------------------------------------------

const BYTES_PER_ELEMENT: Record<TensorDtype, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  uint64: 8,
  int32: 4,
  uint32: 4,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((count, dim) => count * dim, 1);
}

export function tensorSizeBytes(dtype: TensorDtype, dims: readonly number[]): number {
  return elementCount(dims) * BYTES_PER_ELEMENT[dtype];
}

type TypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * Wraps a typed array as TensorData. The array's buffer is used as is when the view covers all of it (so it can be
 * transferred); a partial view is copied, because transferring would hand over unrelated bytes.
 */
export function tensorData(dtype: TensorDtype, dims: readonly number[], values: TypedArray): TensorData {
  const expectedBytes = tensorSizeBytes(dtype, dims);
  if (values.byteLength !== expectedBytes) {
    throw new OrtRuntimeError('E_BAD_FEED', `${dtype} [${dims.join(', ')}] needs ${expectedBytes} bytes, got ${values.byteLength}`);
  }
  const buffer = values.buffer;
  const ownsWholeBuffer = buffer instanceof ArrayBuffer && values.byteOffset === 0 && values.byteLength === buffer.byteLength;
  const data = ownsWholeBuffer ? buffer : copyBytes(values);
  return { dtype, dims: [...dims], data };
}

function copyBytes(values: TypedArray): ArrayBuffer {
  const copy = new ArrayBuffer(values.byteLength);
  new Uint8Array(copy).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return copy;
}

/** A Float32Array view of a float32 tensor (no copy). */
export function float32View(tensor: TensorData): Float32Array {
  if (tensor.dtype !== 'float32') {
    throw new OrtRuntimeError('E_BAD_FEED', `expected a float32 tensor, got ${tensor.dtype}`);
  }
  return new Float32Array(tensor.data);
}
