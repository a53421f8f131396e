import { utilityProcess } from 'electron';
import { engineProcessEnv, type EngineConnection } from '../engine-host/engineConnection';
import { isEngineToHostMessage, type EngineToHostMessage, type HostToEngineMessage } from '../engine-host/protocol';

/** Starts the engine in an Electron utilityProcess (desktop app). */
export function launchUtilityEngine(entryPath: string): EngineConnection {
  const child = utilityProcess.fork(entryPath, [], { env: engineProcessEnv(process.env), serviceName: 'Studio engine', stdio: 'inherit' });
  const messageListeners: Array<(message: EngineToHostMessage) => void> = [];
  const exitListeners: Array<(exit: { exitCode: number | null; signal: string | null }) => void> = [];
  child.on('message', (message: unknown) => {
    if (isEngineToHostMessage(message)) {
      for (const listener of messageListeners) {
        listener(message);
      }
    }
  });
  child.once('exit', (exitCode: number) => {
    for (const listener of exitListeners) {
      listener({ exitCode, signal: null });
    }
  });
  return {
    get processId() {
      return child.pid;
    },
    send(message: HostToEngineMessage) {
      child.postMessage(message);
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    kill() {
      child.kill();
    },
  };
}
