import { contextBridge, ipcRenderer } from 'electron';
import { isEventChannel, isInvokeMethod } from '@shared/ipc/channels';
import type { StudioApi } from '@shared/ipc/contract';
import { isSerializedError } from '@shared/ipc/errors';
import { ipcEventChannel, ipcInvokeChannel } from '@shared/ipc/wire';

/** Exposes exactly the studio contract as window.studio; no Electron object crosses into the page. */
const studio: StudioApi = {
  async invoke(method, params) {
    if (!isInvokeMethod(method)) {
      throw new Error(`UNKNOWN_METHOD: Unknown method ${JSON.stringify(method)}.`);
    }
    const envelope = (await ipcRenderer.invoke(ipcInvokeChannel(method), params)) as { ok: boolean; value?: unknown; error?: unknown };
    if (envelope.ok) {
      return envelope.value as never;
    }
    const error = isSerializedError(envelope.error) ? envelope.error : { code: 'INTERNAL' as const, message: 'Unknown error' };
    // contextBridge copies only an Error's message, so the code travels as its prefix ("CODE: message").
    throw new Error(`${error.code}: ${error.message}`);
  },
  on(channel, listener) {
    if (!isEventChannel(channel)) {
      throw new Error(`UNKNOWN_METHOD: Unknown event channel ${JSON.stringify(channel)}.`);
    }
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload as never);
    ipcRenderer.on(ipcEventChannel(channel), wrapped);
    return () => {
      ipcRenderer.removeListener(ipcEventChannel(channel), wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studio);
