import { useMemo } from 'react';
import type { JobId, ModelSummary } from '@shared/domain/studio';
import type { ComposerSettings } from '../composer/composerSettings';
import { useJobsById, type GenerationActions } from '../generation/jobFeed';
import { formatTimestamp } from '../history/historyFormat';
import { useCurrentProjectId } from '../projects/currentProject';
import { CompareGrid } from './CompareGrid';
import { useCompareClips } from './useCompareClips';
import { useComparison } from './useComparison';
import { useSavedComparisons } from './useSavedComparisons';
import { VariantEditor } from './VariantEditor';

interface ComparePanelProps {
  settings: ComposerSettings;
  model: ModelSummary | undefined;
  actions: GenerationActions;
}

const ACTIVE = new Set(['queued', 'running']);

/**
 * Compare LPL settings side by side: the composer's prompt and settings with its seed locked, one job per variant
 * through the ordinary queue, then the final clips in a grid on one clock with model calls, times, speed-up and the
 * pixel difference against the first variant.
 */
export function ComparePanel({ settings, model, actions }: ComparePanelProps): React.JSX.Element {
  const state = useComparison({ settings, model, actions });
  const { comparison } = state;
  const saved = useSavedComparisons(useCurrentProjectId());
  // Only the compared jobs: a step of any other job leaves this panel alone.
  const comparedJobIds = useMemo(() => (comparison?.runs ?? []).map((run) => run.jobId).filter((jobId): jobId is JobId => jobId !== null), [comparison]);
  const jobs = useJobsById(comparedJobIds);
  // This session's finished jobs, and runs this session never saw (a reopened comparison: stored in the data folder).
  const finishedJobIds = useMemo(() => comparedJobIds.filter((jobId) => jobs[jobId] === undefined || jobs[jobId].status === 'done'), [comparedJobIds, jobs]);
  const clips = useCompareClips(finishedJobIds);
  const activeJobIds = comparedJobIds.filter((jobId) => ACTIVE.has(jobs[jobId]?.status ?? ''));
  const seedText = Number.isFinite(settings.seed) ? String(settings.seed) : '?';
  const tdtm = Number.isFinite(settings.tdtmMergedSteps) ? settings.tdtmMergedSteps : 0;

  return (
    <section className="panel compare" aria-labelledby="compare-heading" data-testid="compare-panel" data-state={comparison ? (activeJobIds.length > 0 || state.starting ? 'running' : 'ended') : 'idle'}>
      <div className="panel-header">
        <h2 id="compare-heading">Compare LPL settings</h2>
        <p className="hint" id="compare-source">
          Uses the composer&apos;s prompt and settings with seed <strong data-testid="compare-seed">{seedText}</strong> locked for every variant.
        </p>
      </div>
      <VariantEditor variants={state.variants} tdtmMergedSteps={tdtm} onChange={state.setVariants} onReset={state.resetVariants} disabled={state.starting} />
      <div className="actions">
        <button type="button" className="primary" data-testid="compare-start" aria-describedby="compare-source" disabled={state.starting} onClick={() => void state.start()}>
          Compare {state.variants.length} variants
        </button>
        <button type="button" data-testid="compare-cancel" disabled={activeJobIds.length === 0} onClick={() => state.cancel(activeJobIds)}>
          Cancel the comparison
        </button>
        <label className="inline">
          Saved comparisons
          <select
            data-testid="compare-saved"
            value={comparison?.savedId ?? ''}
            disabled={state.starting || saved.length === 0}
            onChange={(event) => {
              const chosen = saved.find((entry) => entry.id === event.target.value);
              if (chosen) {
                state.open(chosen);
              }
            }}
          >
            <option value="">{saved.length === 0 ? 'none in this project' : 'Reopen…'}</option>
            {saved.map((entry) => (
              <option key={entry.id} value={entry.id}>
                “{entry.prompt}” seed {entry.seed}, {entry.variants.length} variants — {formatTimestamp(entry.createdAtMs)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div aria-live="assertive">
        {state.error ? (
          <p className="error" role="alert" data-testid="compare-error">
            {state.error}
          </p>
        ) : null}
      </div>
      {comparison ? (
        <>
          <h3>
            “{comparison.prompt}” <span className="muted">seed {comparison.seed}</span>
          </h3>
          <CompareGrid comparison={comparison} jobs={jobs} ready={clips.ready} />
          {Object.entries(clips.errors).map(([jobId, message]) => (
            <p key={jobId} className="error" role="alert">
              Could not load the frames of {jobId}: {message}
            </p>
          ))}
        </>
      ) : (
        <p className="hint">Queue the variants to see their clips side by side here, looping together.</p>
      )}
    </section>
  );
}
