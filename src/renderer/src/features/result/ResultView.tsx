import { useCallback, useState } from 'react';
import type { GenerationSummary, StudioGenerateRequest } from '@shared/domain/generation';
import { requestOfSettings } from '@shared/domain/reproducibilityRecord';
import type { JobId } from '@shared/domain/studio';
import { memoPart } from '../../lib/renderStats';
import { shallowEqual } from '../../lib/shallowEqual';
import { useJobsSlice } from '../generation/jobFeed';
import { selectFinishedJobs } from '../generation/jobStore';
import { ExportBar } from './ExportBar';
import { FramePlayer } from './FramePlayer';
import { ResultDetails } from './ResultDetails';
import { useJobResult } from './useJobResult';

interface ResultViewProps {
  jobId: JobId | null;
  onSelect: (jobId: JobId) => void;
  onReuse: (summary: GenerationSummary, jobId: JobId) => void;
  /** Starts a run continuing this clip from its last frames (models with reference frames). */
  onExtend: (jobId: JobId, base: StudioGenerateRequest) => Promise<void>;
}

/** The finished clip: looping player, settings and timings, exports; earlier results of this session to pick from. */
export const ResultView = memoPart('result', function ResultView({ jobId, onSelect, onReuse, onExtend }: ResultViewProps): React.JSX.Element {
  const finishedJobs = useJobsSlice(selectFinishedJobs, shallowEqual);
  const result = useJobResult(jobId);
  const [frame, setFrame] = useState(0);
  const onFrameChange = useCallback((index: number) => setFrame(index), []);
  return (
    <section className="panel result" aria-labelledby="result-heading" data-testid="result-view" data-state={result.kind} data-job-id={jobId ?? ''}>
      <div className="panel-header">
        <h2 id="result-heading">Result</h2>
        {finishedJobs.length > 0 || (jobId && result.kind === 'ready') ? (
          <label className="inline">
            Clip
            <select value={jobId ?? ''} onChange={(event) => onSelect(event.target.value)} data-testid="result-select">
              {jobId && !finishedJobs.some((job) => job.jobId === jobId) ? <option value={jobId}>From the history: “{result.kind === 'ready' ? result.summary.settings.prompt : '…'}”</option> : null}
              {finishedJobs.map((job, index) => (
                <option key={job.jobId} value={job.jobId}>
                  {index === 0 ? 'Latest: ' : ''}“{job.prompt}” seed {job.summary?.seed ?? '?'}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {result.kind === 'idle' ? <p className="hint">Finished clips play here.</p> : null}
      {result.kind === 'loading' ? <p className="hint">Loading the frames…</p> : null}
      {result.kind === 'error' ? (
        <p className="error" role="alert">
          {result.message}
        </p>
      ) : null}
      {result.kind === 'ready' ? (
        <div className="result-grid">
          <div>
            <FramePlayer jobId={result.jobId} frames={result.frames} fps={result.fps} onFrameChange={onFrameChange} />
            <ExportBar key={result.jobId} jobId={result.jobId} width={result.width} height={result.height} currentFrame={frame} />
          </div>
          <div>
            <ResultDetails summary={result.summary} />
            <button type="button" onClick={() => onReuse(result.summary, result.jobId)} data-testid="reuse-settings">
              Reuse these settings (seed locked)
            </button>
            {result.summary.settings.clip ? (
              <button type="button" onClick={() => void onExtend(result.jobId, requestOfSettings(result.summary.settings))} data-testid="result-extend" title="A new run that continues this clip from its last frames">
                Extend
              </button>
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
});
