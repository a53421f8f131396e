import { useEffect, useRef, useState } from 'react';
import type { GenerationSummary } from '@shared/domain/generation';
import type { JobId } from '@shared/domain/studio';
import type { RgbaFrames } from '../../lib/canvasDraw';
import { describeError } from '../../ipc/studio';
import { loadClip } from '../projects/storedClip';

/** A finished variant's final frames, kept here (never in React state) for the canvases and the pixel difference. */
export interface CompareClip extends RgbaFrames {
  fps: number;
  /** The run's record (from this session, or stored with the run). */
  summary: GenerationSummary;
}

const clips = new Map<JobId, CompareClip>();
const loading = new Set<JobId>();

export function compareClip(jobId: JobId): CompareClip | undefined {
  return clips.get(jobId);
}

export interface CompareClipsState {
  /** Jobs whose frames are loaded; a new Set each time one arrives, so React sees the change. */
  ready: ReadonlySet<JobId>;
  errors: Readonly<Record<JobId, string>>;
}

/**
 * Fetches the final frames (generation.result, else the stored run's) of the given finished jobs into the clip store. Clips of jobs no
 * longer compared are dropped, so one comparison's pixels are held at a time.
 */
export function useCompareClips(finishedJobIds: readonly JobId[]): CompareClipsState {
  const [state, setState] = useState<CompareClipsState>({ ready: new Set(), errors: {} });
  const mounted = useRef(true);
  const wantedNow = useRef<ReadonlySet<JobId>>(new Set());
  const key = finishedJobIds.join(',');

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    const wanted = new Set(key ? key.split(',') : []);
    wantedNow.current = wanted;
    for (const jobId of [...clips.keys()]) {
      if (!wanted.has(jobId)) {
        clips.delete(jobId);
      }
    }
    setState((current) => ({ ready: new Set([...wanted].filter((jobId) => clips.has(jobId))), errors: current.errors }));
    for (const jobId of wanted) {
      if (clips.has(jobId) || loading.has(jobId)) {
        continue;
      }
      loading.add(jobId);
      // A load outlives a change of the wanted set: it lands in the store and, while mounted, in the ready set.
      loadClip(jobId).then(
        (result) => {
          loading.delete(jobId);
          if (!wantedNow.current.has(jobId)) {
            return;
          }
          clips.set(jobId, { width: result.width, height: result.height, frames: result.frames, rgba: result.rgba, fps: result.fps, summary: result.summary });
          if (mounted.current) {
            setState((current) => ({ ready: new Set([...current.ready, jobId]), errors: current.errors }));
          }
        },
        (reason: unknown) => {
          loading.delete(jobId);
          if (mounted.current) {
            setState((current) => ({ ready: current.ready, errors: { ...current.errors, [jobId]: describeError(reason).message } }));
          }
        },
      );
    }
  }, [key]);

  return state;
}
