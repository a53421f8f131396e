import { useEffect, useState } from 'react';
import type { GenerationSummary } from '@shared/domain/generation';
import type { JobId } from '@shared/domain/studio';
import type { RgbaFrames } from '../../lib/canvasDraw';
import { describeError } from '../../ipc/studio';
import { loadClip } from '../projects/storedClip';

/** A finished clip's pixels (RGBA, frames concatenated) with its frame rate. Kept here, never in React state. */
export interface ResultClip extends RgbaFrames {
  fps: number;
}

const clips = new Map<JobId, ResultClip>();
const CLIPS_KEPT = 8;

export function resultClip(jobId: JobId): ResultClip | undefined {
  return clips.get(jobId);
}

export type ResultState =
  | { kind: 'idle' }
  | { kind: 'loading'; jobId: JobId }
  | { kind: 'ready'; jobId: JobId; width: number; height: number; frames: number; fps: number; summary: GenerationSummary }
  | { kind: 'error'; jobId: JobId; message: string };

/** Fetches a finished job's frames (generation.result, else runs.clip) into the clip cache; React sees only their geometry. */
export function useJobResult(jobId: JobId | null): ResultState {
  const [state, setState] = useState<ResultState>({ kind: 'idle' });
  useEffect(() => {
    if (!jobId) {
      setState({ kind: 'idle' });
      return;
    }
    let live = true;
    setState({ kind: 'loading', jobId });
    // This session's result, or a stored run's frames from the data folder (a run from the history).
    loadClip(jobId).then(
      (result) => {
        clips.set(jobId, { width: result.width, height: result.height, frames: result.frames, fps: result.fps, rgba: result.rgba });
        while (clips.size > CLIPS_KEPT) {
          clips.delete(clips.keys().next().value as JobId);
        }
        if (live) {
          setState({ kind: 'ready', jobId, width: result.width, height: result.height, frames: result.frames, fps: result.fps, summary: result.summary });
        }
      },
      (reason: unknown) => live && setState({ kind: 'error', jobId, message: describeError(reason).message }),
    );
    return () => {
      live = false;
    };
  }, [jobId]);
  return state;
}
