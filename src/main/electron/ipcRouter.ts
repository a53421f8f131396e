import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { invokeMethods } from '@shared/ipc/channels';
import type { InvokeMethod } from '@shared/ipc/contract';
import { serializeError, StudioError } from '@shared/ipc/errors';
import { ipcEventChannel, ipcInvokeChannel } from '@shared/ipc/wire';
import type { StudioBackend } from '../backend/studioBackend';

/**
 * Registers one ipcMain handler per contract method. Calls are accepted only from the main frame of our own
 * window; results travel as {ok, value} / {ok: false, error} envelopes so error codes survive Electron's IPC.
 */
export function registerIpc(backend: StudioBackend, window: BrowserWindow, isTrustedUrl: (url: string) => boolean): () => void {
  const methods = Object.keys(invokeMethods) as InvokeMethod[];
  for (const method of methods) {
    ipcMain.handle(ipcInvokeChannel(method), async (event: IpcMainInvokeEvent, params: unknown) => {
      try {
        const frame = event.senderFrame;
        if (!frame || frame !== window.webContents.mainFrame || !isTrustedUrl(frame.url)) {
          throw new StudioError('FORBIDDEN_ORIGIN', 'IPC is accepted only from the studio window.');
        }
        return { ok: true, value: await backend.invoke(method, params) };
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      }
    });
  }
  const unsubscribe = backend.onEvent((channel, payload) => {
    if (!window.isDestroyed()) {
      window.webContents.send(ipcEventChannel(channel), payload);
    }
  });
  return () => {
    unsubscribe();
    for (const method of methods) {
      ipcMain.removeHandler(ipcInvokeChannel(method));
    }
  };
}
