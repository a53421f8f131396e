import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Why Python-made fixtures are unavailable, or undefined when they are. */
export function pythonUnavailableReason(): string | undefined {
  if (!fs.existsSync(PYTHON)) {
    return `${PYTHON} is missing`;
  }
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy, onnx'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${PYTHON} lacks torch/numpy/onnx (apt-get install python3-torch python3-numpy python3-onnx)`;
}

export interface RandomPackageOptions {
  seed?: number;
  depth?: number;
  frames?: number;
  parity?: boolean;
}

/**
 * A tiny random-weight model package made by the real exporter (models/tools/export_package.py), cached per
 * option set for the duration of the machine's temp dir.
 */
export function makeRandomPackage(options: RandomPackageOptions = {}): string {
  const key = `seed${options.seed ?? 0}-d${options.depth ?? 2}-f${options.frames ?? 'default'}${options.parity ? '-parity' : ''}`;
  const dir = path.join(os.tmpdir(), 'studio-test-packages', `${key}-${process.pid}`);
  if (fs.existsSync(path.join(dir, 'manifest.json'))) {
    return dir;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const args = [path.resolve('models/tools/export_package.py'), '--random', '--seed', String(options.seed ?? 0), '--out', dir, '--depth', String(options.depth ?? 2)];
  if (options.frames !== undefined) {
    args.push('--frames', String(options.frames));
  }
  if (options.parity) {
    args.push('--parity');
  }
  execFileSync(PYTHON, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return dir;
}
