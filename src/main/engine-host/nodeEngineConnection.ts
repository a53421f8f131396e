import { fork } from 'node:child_process';
import type { EngineConnection } from './engineConnection';
import { engineProcessEnv } from './engineConnection';
import { isEngineToHostMessage, type EngineToHostMessage, type HostToEngineMessage } from './protocol';

/** Starts the engine as a Node child process (browser mode and CLI). */
export function launchNodeEngine(entryPath: string, options: { env?: NodeJS.ProcessEnv } = {}): EngineConnection {
  const child = fork(entryPath, [], {
    env: engineProcessEnv(options.env ?? process.env),
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messageListeners: Array<(message: EngineToHostMessage) => void> = [];
  const exitListeners: Array<(exit: { exitCode: number | null; signal: string | null }) => void> = [];
  child.on('message', (message: unknown) => {
    if (isEngineToHostMessage(message)) {
      for (const listener of messageListeners) {
        listener(message);
      }
    }
  });
  child.once('exit', (exitCode, signal) => {
    for (const listener of exitListeners) {
      listener({ exitCode, signal });
    }
  });
  // A spawn failure also ends in 'exit'; swallow the error event so it does not crash the host.
  child.on('error', () => undefined);
  return {
    get processId() {
      return child.pid;
    },
    send(message: HostToEngineMessage) {
      if (child.connected) {
        child.send(message);
      }
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      child.kill('SIGTERM');
    },
  };
}
