import type { EngineToHostMessage, HostToEngineMessage } from './protocol';

/** One running engine process, however it was started (Node child process or Electron utilityProcess). */
export interface EngineConnection {
  readonly processId: number | undefined;
  send(message: HostToEngineMessage): void;
  onMessage(listener: (message: EngineToHostMessage) => void): void;
  /** Called once when the process has exited, for any reason. */
  onExit(listener: (exit: { exitCode: number | null; signal: string | null }) => void): void;
  kill(): void;
}

export type EngineLauncher = () => EngineConnection;

/** Environment for the engine process: on Linux, glibc keeps freed ONNX weights unless mmap is used for them. */
export function engineProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  if (process.platform === 'linux') {
    env.GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=1048576';
  }
  return env;
}
