import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { GenerateRequest, GenerationEvent, GenerationSummary, StudioGenerateRequest } from '@shared/domain/generation';
import type { RunPlacement } from '@shared/domain/projects';
import type { JobEvent, JobId, QueueSnapshot, QueuedJob, WireGenerationEvent } from '@shared/domain/studio';
import { serializeError, StudioError, type SerializedError } from '@shared/ipc/errors';
import type { EngineClient } from '../engine-host/engineClient';
import type { EngineGenerateParams } from '../engine-host/engineRequests';
import { listRunMedia } from '../store/dataFolder';
import type { StagedReference } from './referenceInput';

interface Job extends QueuedJob {
  /** As given by the UI (a model id), for the history. */
  request: StudioGenerateRequest;
  /** What the engine runs (the model resolved to its package folder). */
  engineRequest: GenerateRequest;
  /** Steps the job will take (the model default when the request leaves it out); counted against the queue limit. */
  steps: number;
  /** Where its run is filed in the history; the queue only carries it along. */
  placement: RunPlacement;
  requestId?: number;
}

/** The queue's stated limits: jobs waiting or running, and their steps together. */
export interface QueueLimits {
  maxJobs: number;
  maxTotalSteps: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxJobs: 32, maxTotalSteps: 2000 };

/** A request checked and resolved before queueing. */
export interface AcceptedRequest {
  engineRequest: GenerateRequest;
  steps: number;
}

/** A job's lifecycle as the history records it; listeners must not throw (a throw is logged and ignored). */
export interface JobLifecycle {
  queued?: (job: { jobId: JobId; createdAtMs: number; request: StudioGenerateRequest; steps: number; placement: RunPlacement }) => void;
  started?: (job: { jobId: JobId; startedAtMs: number }) => void;
  finished?: (job: FinishedJob) => void;
}

/** A finished job as the queue keeps it: its record and where its files are (no pixels: the clip is on disk). */
export interface FinishedOutputs {
  jobId: JobId;
  summary: GenerationSummary;
  jobDir: string;
}

export interface GenerationServiceOptions {
  engine: EngineClient;
  /** Where each job's GIF / PNG / MP4 / JSON go (one folder per job). */
  outputsDir: string;
  onJobEvent: (event: JobEvent) => void;
  onQueue: (queue: QueueSnapshot) => void;
  /** Finished jobs whose records are kept for generation.result (their files are on disk). */
  keepResults?: number;
  /** Resolves the request (model id → package) and throws a StudioError for one refused before any compute. */
  accept: (request: StudioGenerateRequest) => AcceptedRequest;
  /**
   * Makes the request's reference frames (an uploaded image, a run to extend) files the engine reads, kept in the job's
   * folder; throws a StudioError for one that cannot be. Absent: requests with reference frames are refused.
   */
  stageReference?: (reference: NonNullable<StudioGenerateRequest['reference']>, jobDir: string) => StagedReference;
  limits?: QueueLimits;
  lifecycle?: JobLifecycle;
  /** After a job is done and its outputs are on disk (e.g. copies them to the outputs folder); must not throw. */
  afterDone?: (job: FinishedOutputs & { prompt: string }) => void;
}

export interface FinishedJob {
  jobId: JobId;
  createdAtMs: number;
  status: 'done' | 'failed' | 'cancelled';
  request: StudioGenerateRequest;
  steps: number;
  placement: RunPlacement;
  summary?: GenerationSummary;
  error?: SerializedError;
}

/** The job queue: one generation runs in the engine at a time; others wait, can be reordered or cancelled. */
export class GenerationService {
  private running: Job | undefined;
  private readonly queued: Job[] = [];
  private readonly results = new Map<JobId, FinishedOutputs>();

  constructor(private readonly options: GenerationServiceOptions) {}

  start(request: StudioGenerateRequest, placement: RunPlacement = {}): { jobId: JobId } {
    // Refuse what can be refused now (unknown model, leap step ≥ steps, a budget that cannot fit, a full queue), before queueing.
    const accepted = this.options.accept(request);
    this.checkLimits(accepted.steps);
    const jobId = randomUUID();
    const { engineRequest, recorded } = this.withReference(accepted.engineRequest, request, jobId);
    const { steps } = accepted;
    const job: Job = { jobId, prompt: request.prompt, seed: request.seed ?? null, state: 'queued', enqueuedAtMs: Date.now(), request: recorded, engineRequest, steps, placement };
    this.notify(() => this.options.lifecycle?.queued?.({ jobId: job.jobId, createdAtMs: job.enqueuedAtMs, request: recorded, steps, placement }));
    this.queued.push(job);
    this.publishQueue();
    this.pump();
    return { jobId: job.jobId };
  }

  cancel(jobId: JobId): { cancelled: boolean } {
    const index = this.queued.findIndex((job) => job.jobId === jobId);
    if (index >= 0) {
      const [job] = this.queued.splice(index, 1);
      this.options.onJobEvent({ jobId, event: { kind: 'cancelled' } });
      this.finished(job, { status: 'cancelled' });
      this.publishQueue();
      return { cancelled: true };
    }
    if (this.running?.jobId === jobId && this.running.requestId !== undefined) {
      this.options.engine.cancel(this.running.requestId);
      return { cancelled: true };
    }
    return { cancelled: false };
  }

  finishNow(jobId: JobId): { accepted: boolean } {
    if (this.running?.jobId === jobId && this.running.requestId !== undefined) {
      this.options.engine.finishNow(this.running.requestId);
      return { accepted: true };
    }
    return { accepted: false };
  }

  reorder(jobId: JobId, toIndex: number): QueueSnapshot {
    const from = this.queued.findIndex((job) => job.jobId === jobId);
    if (from < 0) {
      throw new StudioError('NOT_FOUND', `Job ${jobId} is not waiting in the queue.`);
    }
    const [job] = this.queued.splice(from, 1);
    this.queued.splice(Math.min(toIndex, this.queued.length), 0, job);
    this.publishQueue();
    return this.snapshot();
  }

  result(jobId: JobId): FinishedOutputs {
    const result = this.results.get(jobId);
    if (!result) {
      throw new StudioError('NOT_FOUND', `No finished result for job ${jobId}.`);
    }
    return result;
  }

  /** The file that stands for a finished job of this session on disk (its MP4, else GIF), or undefined. */
  outputFile(jobId: JobId): string | undefined {
    const finished = this.results.get(jobId);
    const media = finished ? listRunMedia(finished.jobDir) : undefined;
    return media ? (media.mp4 ?? media.gif ?? undefined) : undefined;
  }

  /** The folder of a finished job of this session, or null. */
  jobFolder(jobId: JobId): string | null {
    return this.results.get(jobId)?.jobDir ?? null;
  }

  /** Whether a queued or running job generates with this model (a model is not removed from under it). */
  usesModel(modelId: string): boolean {
    return [this.running, ...this.queued].some((job) => job?.request.modelId === modelId);
  }

  snapshot(): QueueSnapshot {
    const strip = (job: Job): QueuedJob => ({ jobId: job.jobId, prompt: job.prompt, seed: job.seed, state: job.state, enqueuedAtMs: job.enqueuedAtMs });
    return { running: this.running ? strip(this.running) : null, queued: this.queued.map(strip) };
  }

  /** The engine's request with the reference staged in the job's folder, and the request as the history keeps it (no pixels). */
  private withReference(engineRequest: GenerateRequest, request: StudioGenerateRequest, jobId: JobId): { engineRequest: GenerateRequest; recorded: StudioGenerateRequest } {
    if (!request.reference) {
      return { engineRequest, recorded: request };
    }
    if (!this.options.stageReference) {
      throw new StudioError('INVALID_PARAMS', 'This studio cannot take reference frames (an image or a run to extend).');
    }
    const staged = this.options.stageReference(request.reference, path.join(this.options.outputsDir, jobId));
    return { engineRequest: { ...engineRequest, reference: staged.engine }, recorded: { ...request, reference: staged.recorded } };
  }

  private checkLimits(steps: number): void {
    const limits = this.options.limits ?? DEFAULT_QUEUE_LIMITS;
    const jobs = [...(this.running ? [this.running] : []), ...this.queued];
    if (jobs.length >= limits.maxJobs) {
      throw new StudioError('QUEUE_FULL', `The queue is full: ${jobs.length} jobs are waiting or running (the limit is ${limits.maxJobs}). Cancel one or wait for one to finish.`);
    }
    const queuedSteps = jobs.reduce((sum, job) => sum + job.steps, 0);
    if (queuedSteps + steps > limits.maxTotalSteps) {
      throw new StudioError(
        'QUEUE_FULL',
        `The queue is full: its jobs already take ${queuedSteps} steps and this one ${steps} more (the limit is ${limits.maxTotalSteps} steps together). Cancel a job or wait for one to finish.`,
      );
    }
  }

  /** Lifecycle listeners record history; a fault there must never reach the queue. */
  private notify(call: () => void): void {
    try {
      call();
    } catch (error) {
      process.stderr.write(`warning: a job lifecycle listener failed: ${serializeError(error).message}\n`);
    }
  }

  private finished(job: Job, outcome: { status: FinishedJob['status']; summary?: GenerationSummary; error?: SerializedError }): void {
    this.notify(() =>
      this.options.lifecycle?.finished?.({ jobId: job.jobId, createdAtMs: job.enqueuedAtMs, request: job.request, steps: job.steps, placement: job.placement, ...outcome }),
    );
  }

  private publishQueue(): void {
    this.options.onQueue(this.snapshot());
  }

  private pump(): void {
    if (this.running || this.queued.length === 0) {
      return;
    }
    const job = this.queued.shift() as Job;
    job.state = 'running';
    this.running = job;
    this.notify(() => this.options.lifecycle?.started?.({ jobId: job.jobId, startedAtMs: Date.now() }));
    this.publishQueue();
    const jobDir = path.join(this.options.outputsDir, job.jobId);
    const params: EngineGenerateParams = { request: job.engineRequest, output: { basePath: path.join(jobDir, 'clip') } };
    let doneEvent: GenerationEvent | undefined;
    const { requestId, result } = this.options.engine.startRequest<{ summary: GenerationSummary }>('generate', params, (raw) => {
      const event = raw as GenerationEvent;
      // The end ("done", "cancelled") is held back until the result and the history row are stored, so a UI that
      // reacts to it can fetch the frames and list the run at once; the outcome below announces it.
      if (event.kind === 'done') {
        doneEvent = event;
        return;
      }
      if (event.kind === 'cancelled') {
        return;
      }
      this.options.onJobEvent({ jobId: job.jobId, event: toWireEvent(event) });
    });
    job.requestId = requestId;
    // Two handlers, not then/catch: a fault while reporting success must not turn into a second, "failed" outcome.
    result.then(
      ({ summary }) => this.settle(() => {
        this.results.set(job.jobId, { jobId: job.jobId, summary, jobDir });
        this.notify(() => this.options.afterDone?.({ jobId: job.jobId, summary, jobDir, prompt: job.prompt }));
        this.trimResults();
        // The history row first: a UI that lists the history when "done" arrives finds the run there.
        this.finished(job, { status: 'done', summary });
        this.options.onJobEvent({ jobId: job.jobId, event: toWireEvent(doneEvent ?? { kind: 'done', summary }) });
      }),
      (error: unknown) => this.settle(() => {
        const serialized = serializeError(error);
        this.finished(job, { status: serialized.code === 'CANCELLED' ? 'cancelled' : 'failed', error: serialized });
        // Whether or not the engine saw the job (a cancel before it was sent), a cancellation is one "cancelled".
        this.options.onJobEvent({ jobId: job.jobId, event: serialized.code === 'CANCELLED' ? { kind: 'cancelled' } : { kind: 'failed', error: serialized } });
      }),
    );
  }

  /** Ends the running job's turn: whatever reporting does, the next job starts and nothing is left unhandled. */
  private settle(report: () => void): void {
    try {
      report();
    } catch (error) {
      process.stderr.write(`warning: reporting a finished job failed: ${serializeError(error).message}\n`);
    } finally {
      this.running = undefined;
      this.publishQueue();
      this.pump();
    }
  }

  private trimResults(): void {
    const keep = this.options.keepResults ?? 24;
    while (this.results.size > keep) {
      const oldest = this.results.keys().next().value as JobId;
      this.results.delete(oldest);
    }
  }
}

export function toWireEvent(event: GenerationEvent): WireGenerationEvent {
  if (event.kind !== 'step') {
    return event;
  }
  const { preview, ...rest } = event;
  if (!preview) {
    return { ...rest, preview: null };
  }
  const { rgba, ...geometry } = preview;
  return { ...rest, preview: { ...geometry, rgbaBase64: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength).toString('base64') } };
}
