import path from 'node:path';
import { writeThumbnail } from '../store/dataFolder';
import type { FinishedJob } from './generationService';

export interface RunMediaFolders {
  /** Where the generation service wrote the job's files (one folder per job). */
  outputsDir: string;
  /** The data folder, when the outputs live inside it (their folder is then kept relative to it). */
  dataRoot?: string;
}

/**
 * A finished job's media folder relative to the data folder, with its thumbnail written; null for a job that made no
 * clip or whose outputs lie outside the data folder.
 */
export function keepRunMedia(job: Pick<FinishedJob, 'jobId' | 'status'>, folders: RunMediaFolders): string | null {
  if (job.status !== 'done' || !folders.dataRoot) {
    return null;
  }
  const jobDir = path.join(folders.outputsDir, job.jobId);
  const relative = path.relative(folders.dataRoot, jobDir);
  if (relative.startsWith('..') || path.isAbsolute(relative) || !writeThumbnail(jobDir)) {
    return null;
  }
  return relative.split(path.sep).join('/');
}
