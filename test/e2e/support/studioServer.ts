import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface RunningStudio {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the built browser-mode server (out/main/server.js) on a free port and waits for its URL line. */
export async function startStudio(env: NodeJS.ProcessEnv = {}): Promise<RunningStudio> {
  const child = spawn(process.execPath, [path.resolve('out/main/server.js'), '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The studio server did not start:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      const match = /STUDIO_URL=(\S+)/.exec(output);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`The studio server exited (${code}):\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          return resolve();
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
