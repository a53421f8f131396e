import type { SerializedError } from '@shared/ipc/errors';

/**
 * Messages between the backend (Electron main or the browser-mode server) and the engine process.
 * The engine process is a Node child process or an Electron utilityProcess; both carry these objects
 * with structured clone, so typed arrays cross without JSON.
 */
// package.check (params { modelPath }): a package's files, ONNX units against its manifest and weights' finite scan.
export type EngineMethod = 'system.info' | 'generate' | 'package.check';

export type HostToEngineMessage =
  | { kind: 'request'; id: number; method: EngineMethod; params: unknown }
  | { kind: 'cancel'; id: number }
  /** LPL "finish now": the running generation leaps at its next step. */
  | { kind: 'finishNow'; id: number }
  /** Liveness: the engine answers with a pong once its thread and its file I/O pool are free to (EngineClient's watchdog). */
  | { kind: 'ping'; id: number };

export type EngineToHostMessage =
  | { kind: 'ready'; processId: number }
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: SerializedError }
  | { kind: 'event'; requestId: number; event: unknown }
  | { kind: 'pong'; id: number };

export function isEngineToHostMessage(value: unknown): value is EngineToHostMessage {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'ready' || kind === 'response' || kind === 'event' || kind === 'pong';
}
