import type { StudioApi } from '@shared/ipc/contract';
import { ERROR_CODES, StudioError, type ErrorCode } from '@shared/ipc/errors';
import { WebSocketStudioClient } from './webSocketClient';

/**
 * The only module that knows how the renderer reaches the backend: the Electron preload's window.studio, or,
 * in browser mode, a WebSocket to the server that served this page (token from the URL, kept for reloads).
 */
function createClient(): StudioApi {
  if (window.studio) {
    return window.studio;
  }
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token') ?? sessionStorage.getItem('studio.token') ?? '';
  sessionStorage.setItem('studio.token', token);
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return new WebSocketStudioClient(`${protocol}//${window.location.host}/ws?token=${encodeURIComponent(token)}`);
}

export const studio: StudioApi = createClient();

/** The desktop app offers a folder chooser (models.pickFolder); in the browser, folder paths are typed. */
export const canPickFolders = Boolean(window.studio);

/** Errors from either transport as {code, message}; the preload encodes the code as a message prefix. */
export function describeError(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof StudioError) {
    return { code: error.code, message: error.message };
  }
  const text = error instanceof Error ? error.message : String(error);
  const match = /^([A-Z_]+): (.*)$/s.exec(text);
  if (match && (ERROR_CODES as readonly string[]).includes(match[1])) {
    return { code: match[1] as ErrorCode, message: match[2] };
  }
  return { code: 'INTERNAL', message: text };
}
