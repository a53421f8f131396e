import { describe, expect, it } from 'vitest';
import type { GenerationSummary, ResolvedSettings } from '../../../src/shared/domain/generation';
import type { JobEvent, WireGenerationEvent } from '../../../src/shared/domain/studio';
import {
  JobStore,
  selectEndedJobs,
  selectFinishedJobs,
  selectLatestFinishedJobId,
  selectLiveJobId,
  selectRunningJobId,
  selectTailEstimateMs,
  stepsOf,
  type JobsSnapshot,
} from '../../../src/renderer/src/features/generation/jobStore';
import { shallowEqual } from '../../../src/renderer/src/lib/shallowEqual';

const settings: ResolvedSettings = {
  prompt: 'a red circle',
  seed: 7,
  steps: 3,
  cfgScale: 4,
  lpl: { kind: 'off' },
  tdtmMergedSteps: 1,
  memoryBudget: { kind: 'all' },
  modelId: 'm',
  modelVersion: '1',
  modelPath: '/m',
  frames: 2,
  height: 1,
  width: 2,
  fps: 8,
};

function step(stepIndex: number, pixelValue: number | null): WireGenerationEvent {
  const rgba = pixelValue === null ? null : btoa(String.fromCharCode(...new Uint8Array(2 * 1 * 2 * 4).fill(pixelValue)));
  return {
    kind: 'step',
    stepIndex,
    totalSteps: 3,
    timestep: 1000 - stepIndex * 300,
    merged: stepIndex === 0,
    leap: false,
    cosine: null,
    latencyMs: 100 + stepIndex,
    units: [{ unitId: 'u', unitIndex: 0, executor: 0, loadStartMs: null, loadEndMs: null, prefetched: false, runStartMs: 10 * stepIndex, runEndMs: 10 * stepIndex + 5 }],
    overlapMs: 0,
    rssBytes: 1000 + stepIndex,
    residentBytes: 50,
    budgetBytes: 60,
    preview: rgba === null ? null : { width: 2, height: 1, frames: 2, rgbaBase64: rgba },
  };
}

const ev = (jobId: string, event: WireGenerationEvent): JobEvent => ({ jobId, event });

describe('JobStore', () => {
  it('follows a job from the queue through its steps to done, keeping pixels out of the snapshot', () => {
    const store = new JobStore();
    const seen: Array<[string, number]> = [];
    store.onPreview((jobId, stepIndex) => seen.push([jobId, stepIndex]));
    let notified = 0;
    store.subscribe(() => notified++);

    store.applyQueue({ running: null, queued: [{ jobId: 'j1', prompt: 'a red circle', seed: null, state: 'queued', enqueuedAtMs: 1 }] }, 1000);
    expect(store.getSnapshot().jobs.j1).toMatchObject({ status: 'queued', phase: 'queued', prompt: 'a red circle' });

    store.applyQueue({ running: { jobId: 'j1', prompt: 'a red circle', seed: null, state: 'running', enqueuedAtMs: 1 }, queued: [] }, 1001);
    store.applyJobEvent(ev('j1', { kind: 'started', settings, plannedModelCalls: 3, budgetBytes: 60, minimumBudgetBytes: 40, residentUnitIds: ['u'] }), 1002);
    store.applyJobEvent(ev('j1', { kind: 'stage', stage: 'denoise', elapsedMs: 5 }), 1003);
    store.applyJobEvent(ev('j1', step(0, 10)), 1100);
    store.applyJobEvent(ev('j1', step(1, 20)), 1200);
    store.applyJobEvent(ev('j1', step(2, null)), 1300);

    const job = store.getSnapshot().jobs.j1;
    expect(job).toMatchObject({ status: 'running', phase: 'denoise', plannedModelCalls: 3, budgetBytes: 60, startedAtMs: 1002, phaseStartedAtMs: 1300 });
    expect(job.steps.map((record) => [record.stepIndex, record.jobTimeMs, record.hasPreview, record.merged])).toEqual([
      [0, 5, true, true],
      [1, 15, true, false],
      [2, 25, false, false],
    ]);
    expect(JSON.stringify(store.getSnapshot())).not.toContain('rgba');
    expect(store.preview('j1', 1)?.rgba[0]).toBe(20);
    expect(store.preview('j1', 0)?.rgba.length).toBe(16);
    expect(store.latestPreviewStep('j1')).toBe(1);
    expect(seen).toEqual([
      ['j1', 0],
      ['j1', 1],
    ]);
    expect(selectLiveJobId(store.getSnapshot())).toBe('j1');

    const summary = {
      settings,
      seed: 7,
      stepsRun: 3,
      leapStep: null,
      mergedSteps: 1,
      timingsMs: { load: 0, text: 1, denoise: 2, decode: 3, write: 4, total: 10 },
      stepLatencyMs: [100, 101, 102],
      peakRssBytes: 1002,
      peakResidentBytes: 50,
      memoryBudgetBytes: 60,
      outputs: [],
      warnings: [],
      promptText: 'a yellow square moving up',
      promptTokens: [5, 9, 3, 1],
      activationBytes: 2e6,
      baselineRssBytes: 9e7,
    };
    store.applyJobEvent(ev('j1', { kind: 'done', summary }), 1400);
    store.applyQueue({ running: null, queued: [] }, 1401);
    expect(store.getSnapshot().jobs.j1).toMatchObject({ status: 'done', phase: 'finished', summary });
    expect(selectFinishedJobs(store.getSnapshot()).map((job) => job.jobId)).toEqual(['j1']);
    expect(selectLiveJobId(store.getSnapshot())).toBe('j1');
    expect(notified).toBeGreaterThan(5);
  });

  it('a queue snapshot never revives a finished job, and cancellations and failures are terminal', () => {
    const store = new JobStore();
    store.applyJobEvent(ev('a', { kind: 'cancelled' }));
    store.applyQueue({ running: null, queued: [{ jobId: 'a', prompt: 'x', seed: 3, state: 'queued', enqueuedAtMs: 1 }] });
    expect(store.getSnapshot().jobs.a.status).toBe('cancelled');
    store.applyJobEvent(ev('b', { kind: 'failed', error: { code: 'MODEL_INVALID', message: 'broken' } }));
    expect(store.getSnapshot().jobs.b).toMatchObject({ status: 'failed', error: { code: 'MODEL_INVALID', message: 'broken' } });
    expect(store.getSnapshot().order).toEqual(['a', 'b']);
  });

  it('remembers the submitted request even when the queue event came first', () => {
    const store = new JobStore();
    store.applyQueue({ running: null, queued: [{ jobId: 'q', prompt: 'p', seed: null, state: 'queued', enqueuedAtMs: 1 }] }, 50);
    store.noteSubmitted('q', { prompt: 'p', seed: 9, steps: 4 }, 60);
    expect(store.getSnapshot().jobs.q).toMatchObject({ requestedSeed: 9, request: { steps: 4 }, submittedAtMs: 50 });
    expect(store.getSnapshot().order).toEqual(['q']);
  });

  it('the live job is the running one, else the newest that started', () => {
    const store = new JobStore();
    store.applyQueue({ running: null, queued: [{ jobId: 'waiting', prompt: 'w', seed: null, state: 'queued', enqueuedAtMs: 1 }] });
    expect(selectLiveJobId(store.getSnapshot())).toBeNull();
    store.applyJobEvent(ev('old', { kind: 'started', settings, plannedModelCalls: 3, budgetBytes: 1, minimumBudgetBytes: 1, residentUnitIds: [] }));
    expect(selectLiveJobId(store.getSnapshot())).toBe('old');
  });
});

function summary(decodeMs: number, writeMs: number): GenerationSummary {
  return {
    settings,
    seed: 1,
    stepsRun: 4,
    leapStep: null,
    mergedSteps: 0,
    timingsMs: { load: 0, text: 1, denoise: 2, decode: decodeMs, write: writeMs, total: 3 + decodeMs + writeMs },
    stepLatencyMs: [1, 1, 1, 1],
    peakRssBytes: 1,
    peakResidentBytes: 1,
    memoryBudgetBytes: 1,
    activationBytes: 0,
    baselineRssBytes: 1,
    outputs: [],
    warnings: [],
    promptText: 'a prompt',
    promptTokens: [3, 1],
  };
}

/** Two jobs that ended (one done, one failed) and a third running, one step in. */
function storeWithHistory(): JobStore {
  const store = new JobStore();
  store.applyJobEvent(ev('done-1', { kind: 'started', settings, plannedModelCalls: 4, budgetBytes: 1, minimumBudgetBytes: 1, residentUnitIds: [] }));
  store.applyJobEvent(ev('done-1', { kind: 'done', summary: summary(30, 5) }));
  store.applyJobEvent(ev('failed-2', { kind: 'failed', error: { code: 'MODEL_INVALID', message: 'broken' } }));
  store.applyQueue({ running: { jobId: 'live-3', prompt: 'p', seed: 1, state: 'running', enqueuedAtMs: 1 }, queued: [] });
  store.applyJobEvent(ev('live-3', { kind: 'started', settings, plannedModelCalls: 4, budgetBytes: 1, minimumBudgetBytes: 1, residentUnitIds: [] }));
  store.applyJobEvent(ev('live-3', step(0, null)));
  return store;
}

/*
 * The workspace's components subscribe to slices of the job store and re-render only when their slice changes (by
 * identity, or shallowEqual for rebuilt lists): what a step event changes, and what it leaves equal.
 */
describe('job store slices', () => {
  it('a step event changes the running job’s steps and leaves every other slice equal', () => {
    const store = storeWithHistory();
    const before = store.getSnapshot();
    store.applyJobEvent(ev('live-3', step(1, null)));
    const after = store.getSnapshot();

    expect(after).not.toBe(before);
    expect(after.queue).toBe(before.queue);
    expect(after.order).toBe(before.order);
    expect(after.jobs['done-1']).toBe(before.jobs['done-1']);
    expect(after.jobs['failed-2']).toBe(before.jobs['failed-2']);
    expect(after.jobs['live-3'].settings).toBe(before.jobs['live-3'].settings);
    expect(after.jobs['live-3'].warnings).toBe(before.jobs['live-3'].warnings);

    const stillSlices: Array<(snapshot: JobsSnapshot) => unknown> = [
      selectRunningJobId,
      selectLiveJobId,
      selectLatestFinishedJobId,
      (snapshot) => selectTailEstimateMs(snapshot, 'live-3'),
      selectFinishedJobs,
      selectEndedJobs,
    ];
    for (const select of stillSlices) {
      expect(shallowEqual(select(after), select(before))).toBe(true);
    }
    expect(stepsOf(after.jobs['live-3']).map((record) => record.stepIndex)).toEqual([0, 1]);
    expect(shallowEqual(stepsOf(after.jobs['live-3']), stepsOf(before.jobs['live-3']))).toBe(false);
  });

  it('the selectors read the running, finished and ended jobs and the expected tail', () => {
    const snapshot = storeWithHistory().getSnapshot();
    expect(selectRunningJobId(snapshot)).toBe('live-3');
    expect(selectLatestFinishedJobId(snapshot)).toBe('done-1');
    expect(selectFinishedJobs(snapshot).map((job) => job.jobId)).toEqual(['done-1']);
    expect(selectEndedJobs(snapshot).map((job) => job.jobId)).toEqual(['failed-2', 'done-1']);
    // Decode + write of the newest finished job other than the one asked about; 0 when there is none.
    expect(selectTailEstimateMs(snapshot, 'live-3')).toBe(35);
    expect(selectTailEstimateMs(snapshot, 'done-1')).toBe(0);
    expect(selectRunningJobId(new JobStore().getSnapshot())).toBeNull();
    expect(selectLatestFinishedJobId(new JobStore().getSnapshot())).toBeNull();
  });

  it('no job has one shared empty step list, so slices built from it compare equal', () => {
    expect(stepsOf(undefined)).toBe(stepsOf(undefined));
    expect(shallowEqual({ steps: stepsOf(undefined), total: 0 }, { steps: stepsOf(undefined), total: 0 })).toBe(true);
  });
});
