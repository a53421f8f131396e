import type { EngineToHostMessage, HostToEngineMessage } from '../engine-host/protocol';

/** The engine process's link to its host: Electron's parentPort in a utilityProcess, IPC in a Node child. */
export interface HostChannel {
  post(message: EngineToHostMessage): void;
  onMessage(listener: (message: HostToEngineMessage) => void): void;
}

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export function connectToHost(): HostChannel {
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      post: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data as HostToEngineMessage)),
    };
  }
  if (typeof process.send === 'function') {
    return {
      post: (message) => {
        process.send?.(message);
      },
      onMessage: (listener) => process.on('message', (message) => listener(message as HostToEngineMessage)),
    };
  }
  throw new Error('The engine process must be started by the studio (no IPC channel to a host).');
}
