import { useCallback, useState } from 'react';
import type { GenerationSummary } from '../../../../shared/domain/generation';
import type { JobId } from '../../../../shared/domain/studio';
import type { JobsSnapshot } from '../generation/jobStore';
import { ExportBar } from './ExportBar';
import { FramePlayer } from './FramePlayer';
import { ResultDetails } from './ResultDetails';
import { useJobResult } from './useJobResult';

interface ResultViewProps {
  snapshot: JobsSnapshot;
  finishedJobIds: readonly JobId[];
  jobId: JobId | null;
  onSelect: (jobId: JobId) => void;
  onReuse: (summary: GenerationSummary, jobId: JobId) => void;
}

/** The finished clip: looping player, settings and timings, exports; earlier results of this session to pick from. */
export function ResultView({ snapshot, finishedJobIds, jobId, onSelect, onReuse }: ResultViewProps): React.JSX.Element {
  const result = useJobResult(jobId);
  const [frame, setFrame] = useState(0);
  const onFrameChange = useCallback((index: number) => setFrame(index), []);
  return (
    <section className="panel result" aria-labelledby="result-heading" data-testid="result-view" data-state={result.kind} data-job-id={jobId ?? ''}>
      <div className="panel-header">
        <h2 id="result-heading">Result</h2>
        {finishedJobIds.length > 0 || (jobId && result.kind === 'ready') ? (
          <label className="inline">
            Clip
            <select value={jobId ?? ''} onChange={(event) => onSelect(event.target.value)} data-testid="result-select">
              {jobId && !finishedJobIds.includes(jobId) ? <option value={jobId}>From the history: “{result.kind === 'ready' ? result.summary.settings.prompt : '…'}”</option> : null}
              {finishedJobIds.map((id, index) => {
                const job = snapshot.jobs[id];
                return (
                  <option key={id} value={id}>
                    {index === 0 ? 'Latest: ' : ''}“{job.prompt}” seed {job.summary?.seed ?? '?'}
                  </option>
                );
              })}
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
            <ExportBar key={result.jobId} jobId={result.jobId} summary={result.summary} width={result.width} height={result.height} currentFrame={frame} />
          </div>
          <div>
            <ResultDetails summary={result.summary} />
            <button type="button" onClick={() => onReuse(result.summary, result.jobId)} data-testid="reuse-settings">
              Reuse these settings (seed locked)
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
