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
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.detail = detail;
  }
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof StudioError) {
    return { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) };
  }
  if (isSerializedError(error)) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
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
