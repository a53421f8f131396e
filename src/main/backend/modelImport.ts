import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { StudioError } from '@shared/ipc/errors';
import { readModelPackage, type ModelPackage } from '../engine/package/modelPackage';
import type { CheckpointFolders } from '../importer/opensora/checkpointFolders';
import type { WeightsPrecision } from '../importer/opensora/instantiate';
import type { ImportProgress as ImporterProgress } from '../importer/opensora/importOpenSora';
import { listPartialPackages } from '../importer/partialPackage';
import { importLineSchema, type ImportLine } from '../importer/progressLines';

export type { CheckpointFolders };

/** One unit written by the importer (the importer's own event without its RSS reading). */
export type ImportProgress = Omit<ImporterProgress, 'peakRssBytes'>;

export interface ImportOptions {
  checkpoints: CheckpointFolders;
  /** The package folder to create (must not exist, or be empty). */
  outDir: string;
  name?: string;
  /** fp16 by default (half the bytes on disk). */
  precision?: WeightsPrecision;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportResult {
  pkg: ModelPackage;
  sizeBytes: number;
  durationMs: number;
  peakRssBytes: number;
}

/** The last bytes of the importer's stderr kept for a message when it dies without saying why. */
const STDERR_TAIL_CHARS = 4000;

/**
 * Runs the Open-Sora importer (the built import-model CLI, `importerEntry`, Node only) in a child process, so that
 * converting tensors never blocks this process's event loop, and reads the package it wrote. Its progress arrives as
 * `--progress-json` lines. The importer builds the package in a hidden sibling folder and renames it only when
 * complete; a cancel kills it and removes that partial folder, so a refusal, a failure or a cancel leaves nothing at
 * outDir. A refusal is INVALID_PARAMS with the importer's reason, which names the file or key; a cancel is CANCELLED.
 */
export async function importOpenSoraCheckpoints(importerEntry: string, options: ImportOptions): Promise<ImportResult> {
  if (options.signal?.aborted) {
    throw new StudioError('CANCELLED', 'The import was cancelled.');
  }
  const outDir = path.resolve(options.outDir);
  const partialBefore = new Set(listPartialPackages(outDir));
  const { stdit, vae, t5 } = options.checkpoints;
  const args = [importerEntry, '--stdit', stdit, '--vae', vae, '--t5', t5, '--out', outDir, '--progress-json'];
  if (options.name !== undefined) {
    args.push('--name', options.name);
  }
  if (options.precision !== undefined) {
    args.push('--precision', options.precision);
  }
  // In Electron, process.execPath is the app itself: ELECTRON_RUN_AS_NODE makes it plain Node (ignored by Node).
  const child = spawn(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', kill, { once: true });

  let end: Exclude<ImportLine, { event: 'unit' }> | null = null;
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = options.signal?.aborted ? null : parseLine(text); // lines still in the pipe after a cancel are moot
    if (line?.event === 'unit') {
      options.onProgress?.({ unitId: line.unit, done: line.done, total: line.total, sizeBytes: line.sizeBytes, elapsedMs: Math.round(line.elapsedSeconds * 1000) });
    } else if (line) {
      end = line;
    }
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  options.signal?.removeEventListener('abort', kill);
  const finished = end as ImportLine | null;

  if (options.signal?.aborted) {
    // Killed mid-way: what it left under the temporary name goes (a complete package was already renamed).
    await Promise.all(listPartialPackages(outDir).filter((dir) => !partialBefore.has(dir)).map((dir) => fs.promises.rm(dir, { recursive: true, force: true })));
    if (finished?.event !== 'done') {
      throw new StudioError('CANCELLED', 'The import was cancelled; nothing was written.');
    }
  }
  if (exit.spawnError) {
    throw new StudioError('INTERNAL', `The importer could not start (${importerEntry}): ${exit.spawnError.message}`);
  }
  if (finished?.event === 'refused') {
    throw new StudioError('INVALID_PARAMS', `The checkpoints were refused: ${finished.message}`);
  }
  if (finished?.event === 'cancelled') {
    throw new StudioError('CANCELLED', 'The import was cancelled; nothing was written.');
  }
  if (finished?.event !== 'done' || exit.code !== 0) {
    const why = finished?.event === 'failed' ? finished.message : `it exited with ${exit.signal ?? `code ${exit.code}`}${stderrTail.trim() ? `: ${stderrTail.trim()}` : ''}`;
    throw new StudioError('INTERNAL', `The importer failed: ${why}`);
  }
  try {
    return { pkg: readModelPackage(outDir), sizeBytes: finished.sizeBytes, durationMs: Math.round(finished.seconds * 1000), peakRssBytes: finished.peakRssBytes };
  } catch (error) {
    throw new StudioError('MODEL_INVALID', `The imported package does not read: ${(error as Error).message}`);
  }
}

/** A progress line, or null for anything else the importer prints (a runtime warning). */
function parseLine(text: string): ImportLine | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = importLineSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
