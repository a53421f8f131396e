import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs the Open-Sora 1.2 import tools (models/tools/opensora) with the model-tools Python. */
export const PYTHON = process.env.STUDIO_PYTHON ?? '/usr/bin/python3';
export const OPENSORA_TOOLS = path.resolve(__dirname, '../../models/tools/opensora');

const ENV = { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };

export function runTool(script: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(PYTHON, [path.join(OPENSORA_TOOLS, script), ...args], { encoding: 'utf8', env: ENV, maxBuffer: 64 * 1024 * 1024 });
}

/** Runs a Python snippet with the tools folder importable; fails the test with its stderr when it fails. */
export function runPython(code: string, args: string[] = []): string {
  const result = spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(OPENSORA_TOOLS)})\n${code}`, ...args], { encoding: 'utf8', env: ENV });
  if (result.status !== 0) {
    throw new Error(`python failed (${PYTHON}): ${result.stderr || result.error?.message}`);
  }
  return result.stdout;
}

/** DIR/stdit, DIR/vae, DIR/t5: small random checkpoints in the published layouts. */
export function writeCheckpoints(dir: string, t5Format: 'bin' | 'safetensors' = 'bin', seed = 0): void {
  const result = runTool('write_checkpoints.py', ['--out', dir, '--t5-format', t5Format, '--seed', String(seed)]);
  if (result.status !== 0) {
    throw new Error(`write_checkpoints.py failed (${PYTHON}): ${result.stderr || result.error?.message}`);
  }
}

export function importModel(checkpoints: string, out: string, extra: string[] = []): SpawnSyncReturns<string> {
  return runTool('import_model.py', ['--stdit', path.join(checkpoints, 'stdit'), '--vae', path.join(checkpoints, 'vae'), '--t5', path.join(checkpoints, 't5'), '--out', out, ...extra]);
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
