import { useCallback, useState } from 'react';
import type { JobId } from '@shared/domain/studio';
import { memoPart, Profiled } from '../../lib/renderStats';
import { shallowEqual } from '../../lib/shallowEqual';
import { useJobSlice, useJobsSlice } from '../generation/jobFeed';
import { selectLiveJobId, selectTailEstimateMs, stepsOf, type JobsSnapshot, type JobView } from '../generation/jobStore';
import { LatencySparkline } from './LatencySparkline';
import { MemoryChart } from './MemoryChart';
import { PreviewPlayer } from './PreviewPlayer';
import { ProgressPanel } from './ProgressPanel';
import { ResidentGauge } from './ResidentGauge';
import { StepStrip } from './StepStrip';
import { StepTrack } from './StepTrack';
import { UnitTimeline } from './UnitTimeline';

function headingOf(job: JobView | undefined) {
  return job ? { status: job.status, prompt: job.prompt, seed: job.settings?.seed ?? null, fps: job.settings?.fps ?? 8, error: job.error, warnings: job.warnings } : null;
}

function totalStepsOf(job: JobView | undefined): number {
  return job?.settings?.steps ?? job?.steps[0]?.totalSteps ?? 0;
}

function gaugesOf(job: JobView | undefined) {
  return {
    steps: stepsOf(job),
    totalSteps: totalStepsOf(job),
    budgetBytes: job?.budgetBytes ?? null,
    minimumBytes: job?.minimumBudgetBytes ?? null,
    residentUnitCount: job?.residentUnitIds.length ?? 0,
  };
}

function timelineOf(job: JobView | undefined) {
  return { steps: stepsOf(job), totalSteps: totalStepsOf(job), plannedMergedSteps: job?.settings?.tdtmMergedSteps ?? 0, lpl: job?.settings?.lpl ?? null };
}

const wholeJob = (job: JobView | undefined): JobView | undefined => job;

function LiveProgress({ jobId }: { jobId: JobId }): React.JSX.Element | null {
  const job = useJobSlice(jobId, wholeJob);
  const tailEstimateMs = useJobsSlice(useCallback((snapshot: JobsSnapshot) => selectTailEstimateMs(snapshot, jobId), [jobId]));
  return job ? <ProgressPanel job={job} tailEstimateMs={tailEstimateMs} /> : null;
}

function LiveGauges({ jobId }: { jobId: JobId | null }): React.JSX.Element {
  const { steps, totalSteps, budgetBytes, minimumBytes, residentUnitCount } = useJobSlice(jobId, gaugesOf, shallowEqual);
  return (
    <div className="gauges">
      <MemoryChart steps={steps} budgetBytes={budgetBytes} />
      <ResidentGauge residentBytes={steps[steps.length - 1]?.residentBytes ?? null} budgetBytes={budgetBytes} minimumBytes={minimumBytes} residentUnitCount={residentUnitCount} />
      <LatencySparkline steps={steps} totalSteps={totalSteps} />
    </div>
  );
}

function LiveTimeline({ jobId, focusStep }: { jobId: JobId | null; focusStep: number | null }): React.JSX.Element {
  const { steps, totalSteps, plannedMergedSteps, lpl } = useJobSlice(jobId, timelineOf, shallowEqual);
  return (
    <div className="live-wide">
      <StepTrack steps={steps} totalSteps={totalSteps} plannedMergedSteps={plannedMergedSteps} lpl={lpl} />
      <UnitTimeline steps={steps} focusStep={focusStep} />
    </div>
  );
}

/**
 * The job as it forms: the animated preview of every frame, the step strip, progress, the gauges and the load/compute
 * timeline beside the clip. The layout stays put between jobs (the preview's play/pause choice carries over to the next job).
 *
 * It subscribes in slices: this frame reads only what a step leaves alone (prompt, seed, status, errors), and each
 * part that shows step data (progress, gauges, timeline, strip) reads its own, so a step event re-renders those
 * parts and nothing else. Preview pixels reach the canvases without React (PreviewPlayer).
 */
export const LiveView = memoPart('live', function LiveView(): React.JSX.Element {
  const jobId = useJobsSlice(selectLiveJobId);
  const job = useJobSlice(jobId, headingOf, shallowEqual);
  // A pinned step belongs to its job: the next job starts following live.
  const [pin, setPin] = useState<{ jobId: JobId | null; step: number | null }>({ jobId: null, step: null });
  const pinnedStep = pin.jobId === jobId ? pin.step : null;
  const onPin = useCallback((step: number | null) => setPin({ jobId, step }), [jobId]);

  return (
    <section className="panel live" aria-labelledby="live-heading" data-testid="live-view" data-state={job?.status ?? 'idle'} data-job-id={jobId ?? ''}>
      <h2 id="live-heading" className="stage-heading">
        Live{' '}
        {job ? (
          <>
            <span className="job-title">“{job.prompt}”</span>
            {job.seed !== null ? <span className="muted"> seed {job.seed}</span> : null}
          </>
        ) : null}
      </h2>
      {/* The clip's box on the left, at the result player's place; progress, gauges and timeline beside it. */}
      <div className="live-grid">
        <div className="live-clip">
          <Profiled id="live.preview">
            <PreviewPlayer jobId={jobId} pinnedStep={pinnedStep} fps={job?.fps ?? 8} />
          </Profiled>
          {/* Under the clip, where they push nothing else in view down. */}
          {job?.error ? (
            <p className="error" role="alert" data-testid="job-error">
              {job.error.code}: {job.error.message}
            </p>
          ) : null}
          {job && job.warnings.length > 0 ? (
            <ul className="warnings" data-testid="job-warnings">
              {job.warnings.map((warning, index) => (
                <li key={index}>{warning}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <div className="live-side">
          {jobId && job ? (
            <Profiled id="live.progress">
              <LiveProgress jobId={jobId} />
            </Profiled>
          ) : (
            <p className="hint">Type a prompt and press Ctrl/⌘+Enter: the x0 preview of every frame appears here at each step, with the gauges.</p>
          )}
          <Profiled id="live.gauges">
            <LiveGauges jobId={jobId} />
          </Profiled>
          <Profiled id="live.timeline">
            <LiveTimeline jobId={jobId} focusStep={pinnedStep} />
          </Profiled>
        </div>
      </div>
      {/* Reserved before the first job, so the strip arriving moves nothing. */}
      <div className="live-strip-slot">
        <Profiled id="live.strip">{jobId ? <StepStrip jobId={jobId} pinnedStep={pinnedStep} onPin={onPin} /> : null}</Profiled>
      </div>
    </section>
  );
});
