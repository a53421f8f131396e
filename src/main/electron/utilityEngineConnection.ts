import { utilityProcess } from 'electron';
import { EngineListeners, engineProcessEnv, type EngineConnection } from '../engine-host/engineConnection';
import type { HostToEngineMessage } from '../engine-host/protocol';

/** Starts the engine in an Electron utilityProcess (desktop app). */
export function launchUtilityEngine(entryPath: string): EngineConnection {
  const child = utilityProcess.fork(entryPath, [], { env: engineProcessEnv(process.env), serviceName: 'Studio engine', stdio: 'inherit' });
  const listeners = new EngineListeners();
  child.on('message', (message: unknown) => listeners.deliverMessage(message));
  child.once('exit', (exitCode: number) => listeners.deliverExit({ exitCode, signal: null }));
  return {
    get processId() {
      return child.pid;
    },
    send(message: HostToEngineMessage) {
      child.postMessage(message);
    },
    onMessage: listeners.onMessage,
    onExit: listeners.onExit,
    kill(options) {
      // utilityProcess.kill() sends SIGTERM only, which a stopped or stuck process does not act on.
      if (options?.force && child.pid !== undefined) {
        process.kill(child.pid, 'SIGKILL');
      } else {
        child.kill();
      }
    },
  };
}
