import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs models/tools (Debian python3-torch) from the tests; CI installs torch, elsewhere tests skip. */
export const PYTHON = '/usr/bin/python3';
export const TOOLS_DIR = path.resolve(__dirname, '../../models/tools');

/** Why the Python model tools cannot run here, or null when they can. */
export function pythonTorchUnavailable(): string | null {
  if (!fs.existsSync(PYTHON)) {return `${PYTHON} not found`;}
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} lacks torch/onnx: ${probe.stderr.trim().split('\n').pop()}`;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a random-weight package with parity fixtures (DIR/parity/index.json); takes a few seconds. */
export function exportRandomPackage(outDir: string, extraArgs: string[] = []): void {
  execFileSync(PYTHON, [path.join(TOOLS_DIR, 'export_package.py'), '--random', '--seed', '0', '--out', outDir, '--parity', ...extraArgs], {
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
