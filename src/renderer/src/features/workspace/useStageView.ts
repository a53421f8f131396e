import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { JobId } from '@shared/domain/studio';
import { oneOf } from '../../lib/useStoredState';
import { useJobsSlice } from '../generation/jobFeed';
import { selectLiveJobId, type JobsSnapshot, type JobStatus } from '../generation/jobStore';

export const STAGE_VIEWS = ['live', 'result'] as const;
/** What the stage (the one place the current clip shows) holds: the live preview or the result player. */
export type StageView = (typeof STAGE_VIEWS)[number];
export const isStageView = oneOf(STAGE_VIEWS);

const ACTIVE: ReadonlySet<JobStatus> = new Set<JobStatus>(['queued', 'running', 'failed']);

function selectLiveJob(snapshot: JobsSnapshot): string {
  const jobId = selectLiveJobId(snapshot);
  return jobId === null ? '' : `${jobId}:${snapshot.jobs[jobId]?.status ?? ''}`;
}

/**
 * Which view the stage shows. It follows the jobs: the live preview while a job runs (and when one failed, to show
 * why), the result player once it is done. A view picked by hand (or a run opened from the history) holds until
 * the next job starts or ends.
 */
export function useStageView(latestFinished: JobId | null, hasResult: boolean): { view: StageView; show: (view: StageView) => void } {
  // One string (job id and status): the stage re-renders on a job's status changes, not on its steps.
  const liveJob = useJobsSlice(selectLiveJob);
  const liveStatus = liveJob.slice(liveJob.lastIndexOf(':') + 1) as JobStatus | '';
  const auto: StageView = (liveStatus !== '' && ACTIVE.has(liveStatus)) || !hasResult ? 'live' : 'result';
  const key = `${liveJob}|${latestFinished ?? ''}`;
  const [picked, setPicked] = useState<{ view: StageView; key: string } | null>(null);
  // `show` keeps its identity across jobs (the history table takes it through onOpen, and a job starting must not
  // re-render that table); it reads the current key when called.
  const keyRef = useRef(key);
  useLayoutEffect(() => {
    keyRef.current = key;
  }, [key]);
  const show = useCallback((view: StageView) => setPicked({ view, key: keyRef.current }), []);
  return { view: picked && picked.key === key ? picked.view : auto, show };
}
