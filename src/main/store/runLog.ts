import type { GenerationSummary, StudioGenerateRequest } from '@shared/domain/generation';
import type { RunStatus } from '@shared/domain/history';
import type { SerializedError } from '@shared/ipc/errors';
import type { StudioDatabase } from './database';
import { DEFAULT_PROJECT_ID } from './projectRepository';

export interface QueuedRun {
  id: string;
  createdAtMs: number;
  /** The request as given (a model id, never a path), so "use again" can refill the composer. */
  request: StudioGenerateRequest;
  /** Steps the run will take (the model default when the request leaves it out). */
  steps?: number;
  /** The project the run goes into (the default project when absent). */
  projectId?: string;
  /** The run this one was made from ("Use again", or a changed prompt after it). */
  derivedFrom?: string | null;
}

export interface FinishedRun extends QueuedRun {
  status: Extract<RunStatus, 'done' | 'failed' | 'cancelled'>;
  summary?: GenerationSummary;
  error?: SerializedError;
  /** SHA-256 of the model package's manifest.json when the run was made. */
  manifestHash?: string | null;
  /** The run's media folder relative to the data folder (see dataFolder.ts). */
  mediaDir?: string | null;
}

/** A run as queued: its prompt and settings are saved before any compute, so a crash cannot lose them. */
export function writeQueuedRun(db: StudioDatabase, run: QueuedRun): void {
  db.prepare(
    `INSERT INTO generations (id, created_at_ms, status, prompt, seed, model_id, steps, request_json, project_id, derived_from)
     VALUES (@id, @createdAtMs, 'queued', @prompt, @seed, @modelId, @steps, @requestJson, @projectId, @derivedFrom)
     ON CONFLICT (id) DO NOTHING`,
  ).run({
    ...placementOf(run),
    id: run.id,
    createdAtMs: run.createdAtMs,
    prompt: run.request.prompt,
    seed: run.request.seed ?? null,
    modelId: modelIdOf(run.request),
    steps: run.steps ?? run.request.steps ?? null,
    requestJson: JSON.stringify(run.request),
  });
}

export function writeRunStarted(db: StudioDatabase, id: string, startedAtMs: number): void {
  db.prepare(`UPDATE generations SET status = 'running', started_at_ms = ? WHERE id = ? AND status = 'queued'`).run(startedAtMs, id);
}

/**
 * The end of a run (also for a run whose queued row never made it to disk, or went with its deleted project: the row
 * is then created whole). A row already there keeps its project and lineage (the run may have been moved meanwhile).
 */
export function writeFinishedRun(db: StudioDatabase, run: FinishedRun): void {
  const { summary } = run;
  db.prepare(
    `INSERT INTO generations (id, created_at_ms, finished_at_ms, status, prompt, seed, model_id, steps, steps_run,
       leap_step, merged_steps, total_ms, peak_rss_bytes, request_json, summary_json, error_json, outputs_json,
       project_id, derived_from, model_version, manifest_hash, memory_budget_bytes, media_dir)
     VALUES (@id, @createdAtMs, @finishedAtMs, @status, @prompt, @seed, @modelId, @steps, @stepsRun, @leapStep, @mergedSteps,
       @totalMs, @peakRssBytes, @requestJson, @summaryJson, @errorJson, @outputsJson,
       @projectId, @derivedFrom, @modelVersion, @manifestHash, @memoryBudgetBytes, @mediaDir)
     ON CONFLICT (id) DO UPDATE SET finished_at_ms = excluded.finished_at_ms, status = excluded.status, seed = excluded.seed,
       model_id = excluded.model_id, steps = excluded.steps, steps_run = excluded.steps_run, leap_step = excluded.leap_step,
       merged_steps = excluded.merged_steps, total_ms = excluded.total_ms, peak_rss_bytes = excluded.peak_rss_bytes,
       summary_json = excluded.summary_json, error_json = excluded.error_json, outputs_json = excluded.outputs_json,
       model_version = excluded.model_version, manifest_hash = excluded.manifest_hash,
       memory_budget_bytes = excluded.memory_budget_bytes, media_dir = excluded.media_dir`,
  ).run({
    ...placementOf(run),
    id: run.id,
    createdAtMs: run.createdAtMs,
    finishedAtMs: Date.now(),
    status: run.status,
    prompt: run.request.prompt,
    seed: summary?.seed ?? run.request.seed ?? null,
    modelId: summary?.settings.modelId ?? modelIdOf(run.request),
    steps: summary?.settings.steps ?? run.steps ?? run.request.steps ?? null,
    stepsRun: summary?.stepsRun ?? null,
    leapStep: summary?.leapStep ?? null,
    mergedSteps: summary?.mergedSteps ?? null,
    totalMs: summary?.timingsMs.total ?? null,
    peakRssBytes: summary?.peakRssBytes ?? null,
    requestJson: JSON.stringify(run.request),
    summaryJson: summary ? JSON.stringify(summary) : null,
    errorJson: run.error ? JSON.stringify(run.error) : null,
    outputsJson: JSON.stringify(summary?.outputs ?? []),
    modelVersion: summary?.settings.modelVersion ?? null,
    manifestHash: run.manifestHash ?? null,
    memoryBudgetBytes: summary?.memoryBudgetBytes ?? null,
    mediaDir: run.mediaDir ?? null,
  });
}

/** At start: runs left queued or running by a studio that stopped without finishing them. Returns how many. */
export function markInterruptedRuns(db: StudioDatabase): number {
  return db.prepare(`UPDATE generations SET status = 'interrupted' WHERE status IN ('queued', 'running')`).run().changes;
}

function placementOf(run: QueuedRun): { projectId: string; derivedFrom: string | null } {
  return { projectId: run.projectId ?? DEFAULT_PROJECT_ID, derivedFrom: run.derivedFrom ?? null };
}

function modelIdOf(request: StudioGenerateRequest): string | null {
  return request.modelId ?? null;
}
