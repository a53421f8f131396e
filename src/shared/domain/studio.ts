import type { SerializedError } from '../ipc/errors';
import type { ClipMemoryEntry } from '../model/clipMemory';
import type { ClipPresets } from '../model/manifest';
import type { ReferenceFrameSupport } from '../model/referenceFrames';
import type { UnitPasses } from '../model/unitPasses';
import type { GenerationEvent, GenerationSummary, StepPreview } from './generation';

/** A model the studio can run, with what the UI needs for the memory forecast. */
export interface ModelSummary {
  id: string;
  name: string;
  version: string;
  description: string;
  path: string;
  builtin: boolean;
  /** The clip it makes by default (its native clip, or its default preset). */
  native: { frames: number; height: number; width: number; fps: number };
  /** Resolution, aspect and duration presets the request may choose from (clip); null: one fixed clip size. */
  clipPresets: ClipPresets | null;
  /** Activation estimate per clip it can make (clipMemoryTable), for the forecast at the chosen clip size. */
  clipMemory: ClipMemoryEntry[];
  defaults: { steps: number; cfgScale: number };
  /** Unit sizes per pass, in pipeline order (for the budget forecast). */
  passes: UnitPasses<{ id: string; sizeBytes: number }>;
  totalBytes: number;
  /** Whether it can start from an image or extend a run (and why not). */
  referenceFrames: ReferenceFrameSupport;
}

export type JobId = string;

export interface QueuedJob {
  jobId: JobId;
  prompt: string;
  seed: number | null;
  state: 'queued' | 'running';
  enqueuedAtMs: number;
}

export interface QueueSnapshot {
  running: QueuedJob | null;
  queued: QueuedJob[];
}

/** Preview pixels on the wire: base64 of the RGBA bytes (frames concatenated). */
export type WireStepPreview = Omit<StepPreview, 'rgba'> & { rgbaBase64: string };

/** GenerationEvent as it crosses to the UI (typed arrays encoded so JSON and IPC carry it alike). */
export type WireGenerationEvent =
  | Exclude<GenerationEvent, { kind: 'step' }>
  | (Omit<Extract<GenerationEvent, { kind: 'step' }>, 'preview'> & { preview: WireStepPreview | null })
  /** The job's history row could not be written now (told once per job); it waits and is written when the store is back. */
  | { kind: 'not-saved'; error: SerializedError };

export interface JobEvent {
  jobId: JobId;
  event: WireGenerationEvent;
}

/** A finished job's clip for the player and export: its frames stay on disk, the renderer loads them by URL. */
export interface JobResult {
  jobId: JobId;
  summary: GenerationSummary;
  width: number;
  height: number;
  fps: number;
  /** One URL per frame PNG (the studio's media route into the data folder), in order. */
  frameUrls: string[];
}
