import type { SerializedError } from './errors';

/** WebSocket wire format of the browser-mode transport (JSON text frames). */
export type ClientMessage = { type: 'invoke'; id: number; method: string; params: unknown };

export type ServerMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  | { type: 'event'; channel: string; payload: unknown }
  /** A frame that could not be tied to a request (bad JSON, missing id). */
  | { type: 'error'; error: SerializedError };

/** Close codes used by the server. */
export const WS_CLOSE = {
  unauthorized: 4401,
  forbiddenOrigin: 4403,
  tooLarge: 1009,
} as const;

/** Name of the Electron IPC channels derived from the contract. */
export function ipcInvokeChannel(method: string): string {
  return `studio:${method}`;
}
export function ipcEventChannel(channel: string): string {
  return `studio-event:${channel}`;
}
