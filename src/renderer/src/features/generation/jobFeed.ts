import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { GenerateRequest } from '../../../../shared/domain/generation';
import type { JobId } from '../../../../shared/domain/studio';
import { describeError, studio } from '../../ipc/studio';
import { JobStore, type JobsSnapshot } from './jobStore';

/** The one job store of this window. */
export const jobStore = new JobStore();

/** Connects the job store to the backend's generation events and queue (mount once, at the top). */
export function useGenerationFeed(engineReadyPid: number | undefined): void {
  useEffect(() => {
    const offEvent = studio.on('generation.event', (event) => jobStore.applyJobEvent(event));
    const offQueue = studio.on('generation.queue', (queue) => jobStore.applyQueue(queue));
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

export function useJobsSnapshot(): JobsSnapshot {
  return useSyncExternalStore(jobStore.subscribe, jobStore.getSnapshot);
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

/** Where a started run goes: a project (the default when absent) and the run it was made from. */
export interface RunPlacement {
  projectId?: string;
  derivedFrom?: string;
}

export interface GenerationActions {
  start(request: GenerateRequest, placement?: RunPlacement): Promise<ActionOutcome<JobId>>;
  cancel(jobId: JobId): Promise<ActionOutcome<boolean>>;
  finishNow(jobId: JobId): Promise<ActionOutcome<boolean>>;
  reorder(jobId: JobId, toIndex: number): Promise<ActionOutcome<void>>;
}

/** Generation intents: the only place the workspace's components reach generation.* on the backend. */
export function useGenerationActions(): GenerationActions {
  const start = useCallback(
    (request: GenerateRequest, placement?: RunPlacement) =>
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
