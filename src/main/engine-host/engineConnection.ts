import { isEngineToHostMessage, type EngineToHostMessage, type HostToEngineMessage } from './protocol';

export interface EngineExit {
  exitCode: number | null;
  signal: string | null;
}

/** One running engine process, however it was started (Node child process or Electron utilityProcess). */
export interface EngineConnection {
  readonly processId: number | undefined;
  send(message: HostToEngineMessage): void;
  onMessage(listener: (message: EngineToHostMessage) => void): void;
  /** Called once when the process has exited, for any reason. */
  onExit(listener: (exit: EngineExit) => void): void;
  /** Ends the process: politely (SIGTERM), or at once (SIGKILL) for one that stopped answering. */
  kill(options?: { force?: boolean }): void;
}

export type EngineLauncher = () => EngineConnection;

/**
 * Environment for the engine process, on Linux (docs/runtime-notes.md §Memory given back after release): a fixed
 * 1 MiB mmap threshold, so freed weights go back to the system; and transparent huge pages for those mmap'd
 * blocks, so the per-run intermediates (ORT's arena is off) fault 2 MiB at a time instead of 4 KiB.
 */
export const ENGINE_GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=1048576:glibc.malloc.hugetlb=1';

export function engineProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  if (process.platform === 'linux') {
    env.GLIBC_TUNABLES = ENGINE_GLIBC_TUNABLES;
  }
  return env;
}

/**
 * The listener lists of one connection, whatever started the process: launchers feed it the child's raw messages
 * and its exit, and hand `onMessage` / `onExit` to their EngineConnection. Messages that are not engine messages
 * are dropped here, once for every launcher.
 */
export class EngineListeners {
  private readonly messageListeners: Array<(message: EngineToHostMessage) => void> = [];
  private readonly exitListeners: Array<(exit: EngineExit) => void> = [];

  readonly onMessage = (listener: (message: EngineToHostMessage) => void): void => {
    this.messageListeners.push(listener);
  };

  readonly onExit = (listener: (exit: EngineExit) => void): void => {
    this.exitListeners.push(listener);
  };

  deliverMessage(message: unknown): void {
    if (isEngineToHostMessage(message)) {
      for (const listener of this.messageListeners) {
        listener(message);
      }
    }
  }

  deliverExit(exit: EngineExit): void {
    for (const listener of this.exitListeners) {
      listener(exit);
    }
  }
}
