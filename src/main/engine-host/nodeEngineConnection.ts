import { fork } from 'node:child_process';
import { EngineListeners, engineProcessEnv, type EngineConnection } from './engineConnection';
import type { HostToEngineMessage } from './protocol';

/** Starts the engine as a Node child process (browser mode and CLI). */
export function launchNodeEngine(entryPath: string, options: { env?: NodeJS.ProcessEnv } = {}): EngineConnection {
  const child = fork(entryPath, [], {
    env: engineProcessEnv(options.env ?? process.env),
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listeners = new EngineListeners();
  child.on('message', (message: unknown) => listeners.deliverMessage(message));
  child.once('exit', (exitCode, signal) => listeners.deliverExit({ exitCode, signal }));
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
    onMessage: listeners.onMessage,
    onExit: listeners.onExit,
    kill(options) {
      child.kill(options?.force ? 'SIGKILL' : 'SIGTERM');
    },
  };
}
