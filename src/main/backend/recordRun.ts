import path from 'node:path';
import { writeThumbnail } from '../store/dataFolder';
import type { HistoryRepository } from '../store/historyRepository';
import type { FinishedJob } from './generationService';

export interface RunRecordPlacement {
  projectId?: string;
  derivedFrom?: string;
  /** Where the generation service wrote the job's files (one folder per job). */
  outputsDir: string;
  /** The data folder, when the outputs live inside it (their folder is then kept relative to it). */
  dataRoot?: string;
  manifestHash: string | null;
}

/** Records a finished job in the history with its project, lineage and media folder, and gives it a thumbnail. */
export function recordFinishedRun(history: HistoryRepository, job: FinishedJob, placement: RunRecordPlacement): void {
  const jobDir = path.join(placement.outputsDir, job.jobId);
  let mediaDir: string | null = null;
  if (job.status === 'done' && placement.dataRoot) {
    const relative = path.relative(placement.dataRoot, jobDir);
    if (!relative.startsWith('..') && !path.isAbsolute(relative) && writeThumbnail(jobDir)) {
      mediaDir = relative.split(path.sep).join('/');
    }
  }
  history.record({
    id: job.jobId,
    createdAtMs: job.createdAtMs,
    status: job.status,
    request: job.request,
    summary: job.summary,
    error: job.error,
    placement: { projectId: placement.projectId, derivedFrom: placement.derivedFrom ?? null, manifestHash: placement.manifestHash, mediaDir },
  });
}
