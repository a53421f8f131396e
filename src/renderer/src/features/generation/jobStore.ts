import type { StudioGenerateRequest, GenerationSummary, ResolvedSettings, StepPreview } from '@shared/domain/generation';
import type { JobEvent, JobId, QueueSnapshot, WireGenerationEvent, WireStepPreview } from '@shared/domain/studio';
import type { SerializedError } from '@shared/ipc/errors';
import { assertNever } from '../../lib/assertNever';
import { decodeBase64 } from '../../lib/base64';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type JobPhase = 'queued' | 'text' | 'encode' | 'denoise' | 'decode' | 'write' | 'finished';

type StepEvent = Extract<WireGenerationEvent, { kind: 'step' }>;

/** One denoising step's measurements (no pixels: those stay in the store's preview map). */
export interface StepRecord extends Omit<StepEvent, 'kind' | 'preview'> {
  /** When the step's last unit finished, in ms since the job started (the x axis of the gauges). */
  jobTimeMs: number;
  hasPreview: boolean;
}

export interface JobView {
  jobId: JobId;
  prompt: string;
  status: JobStatus;
  phase: JobPhase;
  /** The seed asked for (null = random); the resolved seed is in settings once started. */
  requestedSeed: number | null;
  request: StudioGenerateRequest | null;
  /** Client clock (Date.now()) of: submission, the "started" event, the start of the current phase. */
  submittedAtMs: number | null;
  startedAtMs: number | null;
  phaseStartedAtMs: number | null;
  settings: ResolvedSettings | null;
  plannedModelCalls: number | null;
  budgetBytes: number | null;
  minimumBudgetBytes: number | null;
  residentUnitIds: readonly string[];
  steps: readonly StepRecord[];
  warnings: readonly string[];
  error: SerializedError | null;
  summary: GenerationSummary | null;
}

export interface JobsSnapshot {
  jobs: Readonly<Record<JobId, JobView>>;
  /** Job ids in the order the studio first saw them. */
  order: readonly JobId[];
  queue: QueueSnapshot;
}

export type PreviewListener = (jobId: JobId, stepIndex: number) => void;

const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(['done', 'failed', 'cancelled']);
/** Jobs whose per-step previews are kept (the newest ones); older jobs keep their measurements only. */
const PREVIEW_JOBS_KEPT = 6;

/**
 * The workspace's view of all jobs, fed by generation events and queue snapshots. It is a plain external store:
 * React reads immutable snapshots of the measurements through useSyncExternalStore, while preview pixels stay in
 * typed arrays here and reach canvases through preview listeners — they never enter React state. Each change
 * copies only what it touches (a step event: that job's view and the job map), so components that select other
 * slices (the queue, finished jobs) see the same objects and do not re-render.
 */
export class JobStore {
  private snapshot: JobsSnapshot = { jobs: {}, order: [], queue: { running: null, queued: [] } };
  private readonly listeners = new Set<() => void>();
  private readonly previewListeners = new Set<PreviewListener>();
  private readonly previews = new Map<JobId, StepPreview[]>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): JobsSnapshot => this.snapshot;

  onPreview(listener: PreviewListener): () => void {
    this.previewListeners.add(listener);
    return () => this.previewListeners.delete(listener);
  }

  /** The x0 preview of every frame at a step (RGBA, frames concatenated), if it was received and is still kept. */
  preview(jobId: JobId, stepIndex: number): StepPreview | undefined {
    return this.previews.get(jobId)?.[stepIndex];
  }

  /** The newest step whose preview is kept, or -1. */
  latestPreviewStep(jobId: JobId): number {
    const steps = this.previews.get(jobId);
    if (!steps) {
      return -1;
    }
    for (let i = steps.length - 1; i >= 0; i--) {
      if (steps[i]) {
        return i;
      }
    }
    return -1;
  }

  /** Records a request this studio submitted (prompt and settings known before any event). */
  noteSubmitted(jobId: JobId, request: StudioGenerateRequest, nowMs = Date.now()): void {
    this.updateJob(jobId, (job) => ({ ...job, prompt: request.prompt, request, requestedSeed: request.seed ?? null, submittedAtMs: job.submittedAtMs ?? nowMs }), request.prompt);
  }

  applyQueue(queue: QueueSnapshot, nowMs = Date.now()): void {
    let jobs = this.snapshot.jobs;
    let order = this.snapshot.order;
    const entries = [...(queue.running ? [queue.running] : []), ...queue.queued];
    for (const entry of entries) {
      const existing = jobs[entry.jobId];
      if (existing && TERMINAL.has(existing.status)) {
        continue;
      }
      const base = existing ?? newJob(entry.jobId, entry.prompt, nowMs);
      const status: JobStatus = entry.state === 'running' ? 'running' : 'queued';
      const phase: JobPhase = status === 'running' && base.phase === 'queued' ? 'text' : base.phase;
      jobs = { ...jobs, [entry.jobId]: { ...base, prompt: entry.prompt, requestedSeed: base.requestedSeed ?? entry.seed, status, phase } };
      if (!existing) {
        order = [...order, entry.jobId];
      }
    }
    this.commit({ jobs, order, queue });
  }

  applyJobEvent({ jobId, event }: JobEvent, nowMs = Date.now()): void {
    switch (event.kind) {
      case 'started':
        this.updateJob(jobId, (job) => ({
          ...job,
          status: 'running',
          phase: 'text',
          startedAtMs: nowMs,
          phaseStartedAtMs: nowMs,
          settings: event.settings,
          prompt: event.settings.prompt,
          plannedModelCalls: event.plannedModelCalls,
          budgetBytes: event.budgetBytes,
          minimumBudgetBytes: event.minimumBudgetBytes,
          residentUnitIds: event.residentUnitIds,
        }));
        return;
      case 'warning':
        this.updateJob(jobId, (job) => ({ ...job, warnings: [...job.warnings, event.message] }));
        return;
      case 'stage':
        this.updateJob(jobId, (job) => ({ ...job, status: 'running', phase: event.stage, phaseStartedAtMs: nowMs }));
        return;
      case 'step':
        this.applyStep(jobId, event, nowMs);
        return;
      case 'done':
        this.updateJob(jobId, (job) => ({ ...job, status: 'done', phase: 'finished', phaseStartedAtMs: nowMs, summary: event.summary, settings: job.settings ?? event.summary.settings }));
        return;
      case 'failed':
        this.updateJob(jobId, (job) => ({ ...job, status: 'failed', phase: 'finished', phaseStartedAtMs: nowMs, error: event.error }));
        return;
      case 'cancelled':
        this.updateJob(jobId, (job) => ({ ...job, status: 'cancelled', phase: 'finished', phaseStartedAtMs: nowMs }));
        return;
      case 'not-saved':
        // The run goes on (or is done) and its outputs are kept; only its history row waits for the store.
        this.updateJob(jobId, (job) => ({ ...job, warnings: [...job.warnings, `${event.error.code}: ${event.error.message}`] }));
        return;
      default:
        assertNever(event, 'generation event');
    }
  }

  private applyStep(jobId: JobId, event: StepEvent, nowMs: number): void {
    const { kind: _kind, preview, ...measured } = event;
    const jobTimeMs = event.units.reduce((latest, unit) => Math.max(latest, unit.runEndMs), 0);
    const record: StepRecord = { ...measured, jobTimeMs, hasPreview: preview !== null };
    if (preview) {
      this.storePreview(jobId, event.stepIndex, preview);
    }
    this.updateJob(jobId, (job) => ({
      ...job,
      status: 'running',
      phase: 'denoise',
      phaseStartedAtMs: nowMs,
      steps: [...job.steps.filter((step) => step.stepIndex !== event.stepIndex), record],
    }));
    if (preview) {
      for (const listener of this.previewListeners) {
        listener(jobId, event.stepIndex);
      }
    }
  }

  private storePreview(jobId: JobId, stepIndex: number, wire: WireStepPreview): void {
    let steps = this.previews.get(jobId);
    if (!steps) {
      steps = [];
      this.previews.set(jobId, steps);
      while (this.previews.size > PREVIEW_JOBS_KEPT) {
        const oldest = this.previews.keys().next().value as JobId;
        this.previews.delete(oldest);
      }
    }
    steps[stepIndex] = { width: wire.width, height: wire.height, frames: wire.frames, rgba: decodeBase64(wire.rgbaBase64) };
  }

  private updateJob(jobId: JobId, change: (job: JobView) => JobView, prompt = ''): void {
    const existing = this.snapshot.jobs[jobId];
    const next = change(existing ?? newJob(jobId, prompt, Date.now()));
    this.commit({
      ...this.snapshot,
      jobs: { ...this.snapshot.jobs, [jobId]: next },
      order: existing ? this.snapshot.order : [...this.snapshot.order, jobId],
    });
  }

  private commit(next: JobsSnapshot): void {
    this.snapshot = next;
    for (const listener of this.listeners) {
      listener();
    }
  }
}

function newJob(jobId: JobId, prompt: string, nowMs: number): JobView {
  return {
    jobId,
    prompt,
    status: 'queued',
    phase: 'queued',
    requestedSeed: null,
    request: null,
    submittedAtMs: nowMs,
    startedAtMs: null,
    phaseStartedAtMs: null,
    settings: null,
    plannedModelCalls: null,
    budgetBytes: null,
    minimumBudgetBytes: null,
    residentUnitIds: [],
    steps: [],
    warnings: [],
    error: null,
    summary: null,
  };
}

const NO_STEPS: readonly StepRecord[] = [];

/** A job's steps; one shared empty list when there is no job, so selections built from it compare equal. */
export function stepsOf(job: JobView | undefined): readonly StepRecord[] {
  return job?.steps ?? NO_STEPS;
}

/** The job the live view follows: the running one, else the newest job that got past the queue. */
export function selectLiveJobId(snapshot: JobsSnapshot): JobId | null {
  const running = snapshot.queue.running?.jobId;
  if (running && snapshot.jobs[running]) {
    return running;
  }
  for (let i = snapshot.order.length - 1; i >= 0; i--) {
    const job = snapshot.jobs[snapshot.order[i]];
    if (job.status === 'running' || job.startedAtMs !== null) {
      return job.jobId;
    }
  }
  return null;
}

/** The job the engine runs now, or null. */
export function selectRunningJobId(snapshot: JobsSnapshot): JobId | null {
  return snapshot.queue.running?.jobId ?? null;
}

/**
 * Finished jobs, newest first. A finished job's view never changes again, so a shallow comparison of two results
 * tells whether the list did.
 */
export function selectFinishedJobs(snapshot: JobsSnapshot): JobView[] {
  return snapshot.order
    .map((jobId) => snapshot.jobs[jobId])
    .filter((job) => job.status === 'done')
    .reverse();
}

/** The newest finished job, or null. */
export function selectLatestFinishedJobId(snapshot: JobsSnapshot): JobId | null {
  for (let i = snapshot.order.length - 1; i >= 0; i--) {
    const job = snapshot.jobs[snapshot.order[i]];
    if (job.status === 'done') {
      return job.jobId;
    }
  }
  return null;
}

/** Decode + write time of the newest finished job other than `jobId`: what that job's tail is expected to take (0 when unknown). */
export function selectTailEstimateMs(snapshot: JobsSnapshot, jobId: JobId | null): number {
  for (let i = snapshot.order.length - 1; i >= 0; i--) {
    const job = snapshot.jobs[snapshot.order[i]];
    if (job.jobId !== jobId && job.status === 'done') {
      return job.summary ? job.summary.timingsMs.decode + job.summary.timingsMs.write : 0;
    }
  }
  return 0;
}

/** Jobs that ended (done, failed or cancelled), newest first. */
export function selectEndedJobs(snapshot: JobsSnapshot, limit = 6): JobView[] {
  return snapshot.order
    .map((jobId) => snapshot.jobs[jobId])
    .filter((job) => TERMINAL.has(job.status))
    .reverse()
    .slice(0, limit);
}
