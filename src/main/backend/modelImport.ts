import { StudioError } from '@shared/ipc/errors';
import { readModelPackage, type ModelPackage } from '../engine/package/modelPackage';
import { ImportCancelled, ImportRefused } from '../importer/errors';
import type { CheckpointFolders } from '../importer/opensora/checkpointFolders';
import type { WeightsPrecision } from '../importer/opensora/instantiate';
import { importOpenSora, type ImportProgress as ImporterProgress } from '../importer/opensora/importOpenSora';

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

/**
 * Runs the Open-Sora importer (src/main/importer/opensora, in this process: no Python) with a progress event per
 * unit, and reads the package it wrote. The importer builds the package in a hidden sibling folder and renames it
 * only when complete, so a refusal, a failure or a cancel leaves nothing at outDir. A refusal is INVALID_PARAMS
 * with the importer's reason, which names the file or key; a cancel is CANCELLED.
 */
export async function importOpenSoraCheckpoints(options: ImportOptions): Promise<ImportResult> {
  if (options.signal?.aborted) {
    throw new StudioError('CANCELLED', 'The import was cancelled.');
  }
  let result;
  try {
    result = await importOpenSora({
      checkpoints: options.checkpoints,
      outDir: options.outDir,
      name: options.name,
      precision: options.precision,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ unitId: p.unitId, done: p.done, total: p.total, sizeBytes: p.sizeBytes, elapsedMs: p.elapsedMs }),
    });
  } catch (error) {
    if (error instanceof ImportCancelled || options.signal?.aborted) {
      throw new StudioError('CANCELLED', 'The import was cancelled; nothing was written.');
    }
    if (error instanceof ImportRefused) {
      throw new StudioError('INVALID_PARAMS', `The checkpoints were refused: ${error.message}`);
    }
    throw new StudioError('INTERNAL', `The importer failed: ${(error as Error).message}`);
  }
  try {
    return { pkg: readModelPackage(options.outDir), sizeBytes: result.sizeBytes, durationMs: result.durationMs, peakRssBytes: result.peakRssBytes };
  } catch (error) {
    throw new StudioError('MODEL_INVALID', `The imported package does not read: ${(error as Error).message}`);
  }
}
