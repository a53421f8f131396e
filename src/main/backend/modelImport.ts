import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import { readModelPackage, type ModelPackage } from '../engine/package/modelPackage';
import { locateModelsDir } from '../engine/paths';

/** The three checkpoint folders as Open-Sora 1.2 publishes them (models/FORMAT.md, "What the importer accepts"). */
export interface CheckpointFolders {
  /** hpcai-tech/OpenSora-STDiT-v3 */
  stdit: string;
  /** hpcai-tech/OpenSora-VAE-v1.2 */
  vae: string;
  /** DeepFloyd/t5-v1_1-xxl */
  t5: string;
}

export interface ImportProgress {
  /** The unit just written, e.g. "denoiser.block.03". */
  unitId: string;
  done: number;
  total: number;
  sizeBytes: number;
  elapsedMs: number;
}

export interface ImportOptions {
  checkpoints: CheckpointFolders;
  /** The package folder to create (must not exist, or be empty). */
  outDir: string;
  name?: string;
  /** The interpreter with torch, numpy, onnx and sentencepiece; default $STUDIO_PYTHON, else /usr/bin/python3, else python3. */
  python?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportResult {
  pkg: ModelPackage;
  sizeBytes: number;
  durationMs: number;
  peakRssBytes: number;
}

/** Exit status of import_model.py for input it refuses (the reason is on stderr). */
const REFUSED_EXIT = 2;
/** How long a cancelled importer has to unwind (remove its work folder) before it is killed. */
const CANCEL_GRACE_MS = 10_000;

/**
 * Runs the Open-Sora importer (models/tools/opensora/import_model.py) as a child process, reporting a progress event
 * per unit, and reads the package it wrote. The importer builds the package in a hidden sibling folder and renames
 * it only when complete, so a refusal, a failure or a cancel (SIGINT: Python unwinds and removes that folder)
 * leaves nothing at outDir. A refusal is INVALID_PARAMS with the importer's reason, which names the file or key.
 */
export function importOpenSoraCheckpoints(options: ImportOptions): Promise<ImportResult> {
  const importer = path.join(locateModelsDir(), 'tools', 'opensora', 'import_model.py');
  const { checkpoints } = options;
  const args = [importer, '--stdit', checkpoints.stdit, '--vae', checkpoints.vae, '--t5', checkpoints.t5, '--out', options.outDir, '--progress-json'];
  if (options.name) {
    args.push('--name', options.name);
  }
  if (options.signal?.aborted) {
    return Promise.reject(new StudioError('CANCELLED', 'The import was cancelled.'));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(options.python ?? defaultPython(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    let stdoutRest = '';
    let stderr = '';
    let done: { sizeBytes: number; seconds: number; peakRssBytes: number } | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGINT');
      // A cancel always ends the import: one stuck in a call that SIGINT does not end is killed.
      killTimer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (stdoutRest + chunk).split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines) {
        const event = parseEvent(line);
        if (event?.event === 'unit') {
          options.onProgress?.({
            unitId: String(event.unit),
            done: Number(event.done),
            total: Number(event.total),
            sizeBytes: Number(event.sizeBytes),
            elapsedMs: Number(event.elapsedSeconds) * 1000,
          });
        } else if (event?.event === 'done') {
          done = { sizeBytes: Number(event.sizeBytes), seconds: Number(event.seconds), peakRssBytes: Number(event.peakRssBytes) };
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new StudioError('INTERNAL', `Cannot start the importer with ${options.python ?? defaultPython()}: ${error.message}. Set STUDIO_PYTHON to a Python with torch, numpy, onnx and sentencepiece.`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) {
        reject(new StudioError('CANCELLED', 'The import was cancelled; nothing was written.'));
        return;
      }
      if (code === REFUSED_EXIT) {
        const reason = /import-model: refused: (.*)/.exec(stderr)?.[1] ?? lastLine(stderr);
        reject(new StudioError('INVALID_PARAMS', `The checkpoints were refused: ${reason}`));
        return;
      }
      if (code !== 0 || !done) {
        reject(new StudioError('INTERNAL', `The importer failed (${signal ? `signal ${signal}` : `exit ${code}`}): ${lastLine(stderr)}`));
        return;
      }
      try {
        resolve({ pkg: readModelPackage(options.outDir), sizeBytes: done.sizeBytes, durationMs: done.seconds * 1000, peakRssBytes: done.peakRssBytes });
      } catch (error) {
        reject(new StudioError('MODEL_INVALID', `The imported package does not read: ${(error as Error).message}`));
      }
    });
  });
}

function defaultPython(): string {
  return process.env.STUDIO_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

function parseEvent(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) {
    return null;
  }
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '(no message)';
}
