import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The Python that runs models/tools in the model-tools suite: `npm run test:models` sets STUDIO_PYTHON after checking
 * it has torch, numpy, onnx and sentencepiece (scripts/pythonEnv.mjs), and refuses to run when it has not.
 */
export const PYTHON = process.env.STUDIO_PYTHON ?? '/usr/bin/python3';
export const REPO_ROOT = path.resolve(__dirname, '../..');
export const TOOLS_DIR = path.join(REPO_ROOT, 'models', 'tools');

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a Python script; throws with its stderr when it fails. */
export function runPython(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const result = spawnSync(PYTHON, args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', ...options.env },
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`${PYTHON} ${args.join(' ')} could not run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`${PYTHON} ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
