import { useCallback, useEffect, useMemo } from 'react';
import { useSyncExternalStoreWithSelector } from 'use-sync-external-store/with-selector';
import type { StudioGenerateRequest } from '@shared/domain/generation';
import type { RunPlacement } from '@shared/domain/projects';
import type { JobId } from '@shared/domain/studio';
import { describeError, studio } from '../../ipc/studio';
import { attributeRenders } from '../../lib/renderStats';
import { shallowEqual } from '../../lib/shallowEqual';
import { JobStore, type JobsSnapshot, type JobView } from './jobStore';

/** The one job store of this window. */
export const jobStore = new JobStore();

/** Connects the job store to the backend's generation events and queue (mount once, at the top). */
export function useGenerationFeed(engineReadyPid: number | undefined): void {
  useEffect(() => {
    const offEvent = studio.on('generation.event', (event) => attributeRenders(`generation.${event.event.kind}`, () => jobStore.applyJobEvent(event)));
    const offQueue = studio.on('generation.queue', (queue) => attributeRenders('generation.queue', () => jobStore.applyQueue(queue)));
    return () => {
      offEvent();
      offQueue();
    };
  }, []);
  useEffect(() => {
    if (engineReadyPid === undefined) {
      return;
    }
    let live = true;
    studio.invoke('generation.queue', {}).then(
      (queue) => live && jobStore.applyQueue(queue),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [engineReadyPid]);
}

/** A slice of the jobs snapshot: the component re-renders only when the slice changes (isEqual; identity by default). */
export function useJobsSlice<T>(select: (snapshot: JobsSnapshot) => T, isEqual?: (a: T, b: T) => boolean): T {
  return useSyncExternalStoreWithSelector(jobStore.subscribe, jobStore.getSnapshot, undefined, select, isEqual);
}

/** A slice of one job's view (the job is undefined for a null id or one the store does not know). */
export function useJobSlice<T>(jobId: JobId | null, select: (job: JobView | undefined) => T, isEqual?: (a: T, b: T) => boolean): T {
  const selectJob = useCallback((snapshot: JobsSnapshot) => select(jobId === null ? undefined : snapshot.jobs[jobId]), [jobId, select]);
  return useJobsSlice(selectJob, isEqual);
}

/** The views of the given jobs (those the store knows), by id: a new record only when one of them changed. */
export function useJobsById(jobIds: readonly JobId[]): Readonly<Record<JobId, JobView>> {
  const selectJobs = useCallback((snapshot: JobsSnapshot) => jobIds.flatMap((jobId) => snapshot.jobs[jobId] ?? []), [jobIds]);
  const jobs = useJobsSlice(selectJobs, shallowEqual);
  return useMemo(() => Object.fromEntries(jobs.map((job) => [job.jobId, job])), [jobs]);
}

export type ActionOutcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

async function attempt<T>(run: () => Promise<T>): Promise<ActionOutcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const { code, message } = describeError(error);
    return { ok: false, code, message };
  }
}

export interface GenerationActions {
  start(request: StudioGenerateRequest, placement?: RunPlacement): Promise<ActionOutcome<JobId>>;
  cancel(jobId: JobId): Promise<ActionOutcome<boolean>>;
  finishNow(jobId: JobId): Promise<ActionOutcome<boolean>>;
  reorder(jobId: JobId, toIndex: number): Promise<ActionOutcome<void>>;
}

/** Generation intents: the only place the workspace's components reach generation.* on the backend. */
export function useGenerationActions(): GenerationActions {
  const start = useCallback(
    (request: StudioGenerateRequest, placement?: RunPlacement) =>
      attempt(async () => {
        const { jobId } = await studio.invoke('generation.start', { ...request, ...placement });
        jobStore.noteSubmitted(jobId, request);
        return jobId;
      }),
    [],
  );
  const cancel = useCallback((jobId: JobId) => attempt(async () => (await studio.invoke('generation.cancel', { jobId })).cancelled), []);
  const finishNow = useCallback((jobId: JobId) => attempt(async () => (await studio.invoke('generation.finishNow', { jobId })).accepted), []);
  const reorder = useCallback(
    (jobId: JobId, toIndex: number) =>
      attempt(async () => {
        jobStore.applyQueue(await studio.invoke('generation.reorder', { jobId, toIndex }));
      }),
    [],
  );
  return useMemo(() => ({ start, cancel, finishNow, reorder }), [start, cancel, finishNow, reorder]);
}
