/** Error codes that cross the process/transport boundary; the UI switches on these. */
export const ERROR_CODES = [
  'BAD_MESSAGE',
  'UNKNOWN_METHOD',
  'INVALID_PARAMS',
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'ENGINE_UNAVAILABLE',
  'ENGINE_CRASHED',
  'ENGINE_ERROR',
  'MODEL_INVALID',
  'NOT_FOUND',
  /** The prompt history could not be written (file locked, disk full); the job's outputs are kept. */
  'STORAGE_UNAVAILABLE',
  /** The output folder is missing and cannot be made, is not a folder, or refuses writes. */
  'OUTPUT_UNWRITABLE',
  /** Not enough free space for the clip's outputs. */
  'DISK_FULL',
  /** A NaN or infinity appeared in a model's output (broken weights). */
  'NUMERIC_ERROR',
  /** The queue is at its stated limit of jobs or total steps. */
  'QUEUE_FULL',
  /** A model with this id is already registered (the built-in one or one added before). */
  'MODEL_EXISTS',
  /** The built-in model is part of the studio: it cannot be removed. */
  'MODEL_BUILTIN',
  /** Only one model import runs at a time; a model a queued or running job uses is not removed. */
  'BUSY',
  'CANCELLED',
  'ARCHIVE_REFUSED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface SerializedError {
  code: ErrorCode;
  message: string;
  detail?: string;
}

/** An error that carries a code across the boundary unchanged. */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  constructor(code: ErrorCode, message: string, detail?: string) {
    super(asSentence(message));
    this.name = 'StudioError';
    this.code = code;
    this.detail = detail;
  }
}

/**
 * One full stop at the end: messages that quote a value ending in "." (a job id, a path, a nested message) would
 * otherwise end in "..".
 */
export function asSentence(message: string): string {
  return message.replace(/\.{2,}$/, '.');
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof StudioError) {
    return { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
  }
  if (isSerializedError(error)) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: asSentence(message) };
}

export function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export function toStudioError(error: SerializedError): StudioError {
  return new StudioError(error.code, error.message, error.detail);
}
