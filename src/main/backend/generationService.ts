import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { GenerateRequest, GenerationEvent, GenerationSummary } from '../../shared/domain/generation';
import type { JobEvent, JobId, JobResult, QueueSnapshot, QueuedJob, WireGenerationEvent } from '../../shared/domain/studio';
import { serializeError, StudioError, type SerializedError } from '../../shared/ipc/errors';
import type { EngineClient } from '../engine-host/engineClient';
import type { EngineGenerateParams } from '../engine-host/engineRequests';

interface Job extends QueuedJob {
  request: GenerateRequest;
  requestId?: number;
}

interface EngineClip {
  width: number;
  height: number;
  fps: number;
  frames: Uint8ClampedArray[];
}

export interface GenerationServiceOptions {
  engine: EngineClient;
  /** Where each job's GIF / PNG / MP4 / JSON go (one folder per job). */
  outputsDir: string;
  onJobEvent: (event: JobEvent) => void;
  onQueue: (queue: QueueSnapshot) => void;
  /** Finished results kept for the player/export. */
  keepResults?: number;
  /** Throws a StudioError for a request that can be refused before any compute. */
  preflight?: (request: GenerateRequest) => void;
  /** Called once per job that ran or was cancelled (the prompt history). */
  onFinished?: (job: FinishedJob) => void;
}

export interface FinishedJob {
  jobId: JobId;
  createdAtMs: number;
  status: 'done' | 'failed' | 'cancelled';
  request: GenerateRequest;
  summary?: GenerationSummary;
  error?: SerializedError;
}

/** The job queue: one generation runs in the engine at a time; others wait, can be reordered or cancelled. */
export class GenerationService {
  private running: Job | undefined;
  private readonly queued: Job[] = [];
  private readonly results = new Map<JobId, JobResult>();

  constructor(private readonly options: GenerationServiceOptions) {}

  start(request: GenerateRequest): { jobId: JobId } {
    // Refuse what can be refused now (leap step ≥ steps, a budget that cannot fit, …), before queueing.
    this.options.preflight?.(request);
    const job: Job = { jobId: randomUUID(), prompt: request.prompt, seed: request.seed ?? null, state: 'queued', enqueuedAtMs: Date.now(), request };
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
      this.options.onFinished?.({ jobId, createdAtMs: job.enqueuedAtMs, status: 'cancelled', request: job.request });
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

  result(jobId: JobId): JobResult {
    const result = this.results.get(jobId);
    if (!result) {
      throw new StudioError('NOT_FOUND', `No finished result for job ${jobId}.`);
    }
    return result;
  }

  snapshot(): QueueSnapshot {
    const strip = (job: Job): QueuedJob => ({ jobId: job.jobId, prompt: job.prompt, seed: job.seed, state: job.state, enqueuedAtMs: job.enqueuedAtMs });
    return { running: this.running ? strip(this.running) : null, queued: this.queued.map(strip) };
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
    this.publishQueue();
    const params: EngineGenerateParams = { request: job.request, output: { basePath: path.join(this.options.outputsDir, job.jobId, 'clip') } };
    let doneEvent: GenerationEvent | undefined;
    const { requestId, result } = this.options.engine.startRequest<{ summary: GenerationSummary; clip: EngineClip }>('generate', params, (raw) => {
      const event = raw as GenerationEvent;
      // "done" is held back until the result is stored, so a UI that reacts to it can fetch the frames at once.
      if (event.kind === 'done') {
        doneEvent = event;
        return;
      }
      this.options.onJobEvent({ jobId: job.jobId, event: toWireEvent(event) });
    });
    job.requestId = requestId;
    result
      .then(({ summary, clip }) => {
        this.results.set(job.jobId, {
          jobId: job.jobId,
          summary,
          width: clip.width,
          height: clip.height,
          fps: clip.fps,
          framesBase64: clip.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64')),
        });
        this.trimResults();
        this.options.onJobEvent({ jobId: job.jobId, event: toWireEvent(doneEvent ?? { kind: 'done', summary }) });
        this.options.onFinished?.({ jobId: job.jobId, createdAtMs: job.enqueuedAtMs, status: 'done', request: job.request, summary });
      })
      .catch((error: unknown) => {
        const serialized = serializeError(error);
        // The engine already reported a cancellation as an event; anything else (bad input, a crash) is reported here.
        if (serialized.code !== 'CANCELLED') {
          this.options.onJobEvent({ jobId: job.jobId, event: { kind: 'failed', error: serialized } });
        }
        const status = serialized.code === 'CANCELLED' ? 'cancelled' : 'failed';
        this.options.onFinished?.({ jobId: job.jobId, createdAtMs: job.enqueuedAtMs, status, request: job.request, error: serialized });
      })
      .finally(() => {
        this.running = undefined;
        this.publishQueue();
        this.pump();
      });
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
