import { useEffect, useState } from 'react';
import type { JobId } from '../../../../shared/domain/studio';
import type { JobsSnapshot } from '../generation/jobStore';
import { selectFinishedJobIds } from '../generation/jobStore';
import { Profiled } from '../../lib/renderStats';
import { LatencySparkline } from './LatencySparkline';
import { MemoryChart } from './MemoryChart';
import { PreviewPlayer } from './PreviewPlayer';
import { ProgressPanel } from './ProgressPanel';
import { ResidentGauge } from './ResidentGauge';
import { StepStrip } from './StepStrip';
import { StepTrack } from './StepTrack';
import { UnitTimeline } from './UnitTimeline';

interface LiveViewProps {
  snapshot: JobsSnapshot;
  jobId: JobId | null;
}

/**
 * The job as it forms: the animated preview of every frame, the step strip, progress and the gauges. The layout
 * stays put between jobs (the preview's play/pause choice carries over to the next job).
 */
export function LiveView({ snapshot, jobId }: LiveViewProps): React.JSX.Element {
  const job = jobId ? snapshot.jobs[jobId] : undefined;
  const [pinnedStep, setPinnedStep] = useState<number | null>(null);
  useEffect(() => setPinnedStep(null), [jobId]);

  const previous = job ? selectFinishedJobIds(snapshot).find((id) => id !== job.jobId) : undefined;
  const previousTimings = previous ? snapshot.jobs[previous].summary?.timingsMs : undefined;
  const tailEstimateMs = previousTimings ? previousTimings.decode + previousTimings.write : 0;
  const steps = job?.steps ?? [];
  const totalSteps = job?.settings?.steps ?? steps[0]?.totalSteps ?? 0;
  const lastStep = steps[steps.length - 1];
  return (
    <section className="panel live" aria-labelledby="live-heading" data-testid="live-view" data-state={job?.status ?? 'idle'} data-job-id={job?.jobId ?? ''}>
      <h2 id="live-heading">
        Live{' '}
        {job ? (
          <>
            <span className="job-title">“{job.prompt}”</span>
            {job.settings ? <span className="muted"> seed {job.settings.seed}</span> : null}
          </>
        ) : null}
      </h2>
      {job ? (
        <Profiled id="live.progress">
          <ProgressPanel job={job} tailEstimateMs={tailEstimateMs} />
        </Profiled>
      ) : (
        <p className="hint">Type a prompt and press Ctrl/⌘+Enter: the x0 preview of every frame appears here at each step, with the gauges.</p>
      )}
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
      <div className="live-grid">
        <Profiled id="live.preview">
          <PreviewPlayer jobId={job?.jobId ?? null} pinnedStep={pinnedStep} fps={job?.settings?.fps ?? 8} />
        </Profiled>
        <Profiled id="live.gauges">
          <div className="gauges">
            <MemoryChart steps={steps} budgetBytes={job?.budgetBytes ?? null} />
            <ResidentGauge
              residentBytes={lastStep?.residentBytes ?? null}
              budgetBytes={job?.budgetBytes ?? null}
              minimumBytes={job?.minimumBudgetBytes ?? null}
              residentUnitCount={job?.residentUnitIds.length ?? 0}
            />
            <LatencySparkline steps={steps} totalSteps={totalSteps} />
          </div>
        </Profiled>
      </div>
      <Profiled id="live.timeline">
        <div className="live-wide">
          <StepTrack steps={steps} totalSteps={totalSteps} plannedMergedSteps={job?.settings?.tdtmMergedSteps ?? 0} lpl={job?.settings?.lpl ?? null} />
          <UnitTimeline steps={steps} focusStep={pinnedStep} />
        </div>
      </Profiled>
      <Profiled id="live.strip">{job ? <StepStrip jobId={job.jobId} steps={steps} pinnedStep={pinnedStep} onPin={setPinnedStep} /> : null}</Profiled>
    </section>
  );
}
