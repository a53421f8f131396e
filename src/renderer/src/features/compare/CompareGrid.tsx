import { FrameStepControls } from '../../components/FrameStepControls';
import { playbackKeyAction } from '../../lib/playbackKeys';
import { useEffect, useMemo, useState } from 'react';
import type { JobId } from '@shared/domain/studio';
import type { JobView } from '../generation/jobStore';
import { CompareCell } from './CompareCell';
import { psnr, ssim } from '@shared/media/quality';
import type { GenerationSummary } from '@shared/domain/generation';
import { meanAbsolutePixelDifference } from './compareMetrics';
import { comparisonFacts, type CellQuality } from './comparisonFacts';
import { compareClip } from './useCompareClips';
import type { Comparison } from './useComparison';

interface CompareGridProps {
  comparison: Comparison;
  jobs: Readonly<Record<JobId, JobView>>;
  ready: ReadonlySet<JobId>;
}

/** The variants side by side, all on one clock (play, pause, step and scrub move every clip together). */
export function CompareGrid({ comparison, jobs, ready }: CompareGridProps): React.JSX.Element {
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [showDifference, setShowDifference] = useState(false);
  const { runs } = comparison;

  const reference = runs.map((run) => (run.jobId && ready.has(run.jobId) ? compareClip(run.jobId) : undefined)).find((clip) => clip !== undefined);
  const frames = reference?.frames ?? 0;
  const fps = reference?.fps ?? 8;

  // Quality against the baseline (pixel difference, SSIM, PSNR on the decoded frames), once per pair of loaded clips.
  const baselineId = runs[0]?.jobId ?? null;
  // `ready` is a new Set on every load; `loaded` is a new one only when the contents change.
  const readyKey = [...ready].sort().join(',');
  const loaded = useMemo(() => new Set(readyKey === '' ? [] : readyKey.split(',')), [readyKey]);
  const { quality, stored } = useMemo(() => {
    const quality: Record<JobId, CellQuality> = {};
    const stored: Record<JobId, GenerationSummary> = {};
    for (const run of runs) {
      const clip = run.jobId && loaded.has(run.jobId) ? compareClip(run.jobId) : undefined;
      if (run.jobId && clip) {
        stored[run.jobId] = clip.summary;
      }
    }
    const baseline = baselineId && loaded.has(baselineId) ? compareClip(baselineId) : undefined;
    if (!baseline) {
      return { quality, stored };
    }
    for (const run of runs) {
      const clip = run.jobId && loaded.has(run.jobId) ? compareClip(run.jobId) : undefined;
      if (run.jobId && clip) {
        quality[run.jobId] = { difference: meanAbsolutePixelDifference(baseline, clip), ssim: ssim(baseline, clip), psnr: psnr(baseline, clip) };
      }
    }
    return { quality, stored };
  }, [baselineId, runs, loaded]);

  const facts = useMemo(() => comparisonFacts(runs, jobs, quality, stored), [runs, jobs, quality, stored]);

  useEffect(() => {
    if (!playing || frames === 0) {
      return;
    }
    const timer = setInterval(() => setFrame((current) => (current + 1) % frames), 1000 / fps);
    return () => clearInterval(timer);
  }, [playing, frames, fps]);

  const shown = frames > 0 ? frame % frames : 0;
  const step = (delta: number): void => {
    if (frames === 0) {
      return;
    }
    setPlaying(false);
    setFrame((current) => (current + delta + frames) % frames);
  };
  const onKeyDown = (event: React.KeyboardEvent): void => {
    const action = playbackKeyAction(event, ['INPUT', 'SELECT', 'BUTTON']);
    if (action === 'toggle') {
      setPlaying((value) => !value);
    } else if (action) {
      step(action === 'previous' ? -1 : 1);
    }
  };

  return (
    <div className="compare-results">
      <div className="player-controls" role="group" aria-label="Playback of every variant together">
        <FrameStepControls
          frame={shown}
          frames={frames}
          playing={playing}
          testIdPrefix="compare"
          ariaScope="all variants"
          playTextSuffix=" all"
          disabled={frames === 0}
          onStep={step}
          onTogglePlay={() => setPlaying((value) => !value)}
          onSeek={(value) => {
            setPlaying(false);
            setFrame(value);
          }}
        />
        <span className="muted" data-testid="compare-frame-label">
          {frames > 0 ? `${shown + 1}/${frames}` : 'no frames yet'}
        </span>
        <label className="inline">
          <input type="checkbox" data-testid="compare-show-difference" checked={showDifference} onChange={(event) => setShowDifference(event.target.checked)} />
          Difference view (|variant − baseline| per pixel, ×4)
        </label>
      </div>
      <div
        className="compare-grid"
        data-testid="compare-grid"
        data-frame={shown}
        tabIndex={0}
        role="group"
        aria-label="Variants side by side. Space plays or pauses all, arrow keys step every clip together."
        onKeyDown={onKeyDown}
      >
        {runs.map((run, index) => (
          <CompareCell
            key={run.variant.key}
            index={index}
            variant={run.variant}
            jobId={run.jobId}
            facts={facts[index]}
            clipReady={run.jobId !== null && ready.has(run.jobId)}
            frame={shown}
            differenceFrom={showDifference && index > 0 && baselineId && ready.has(baselineId) ? baselineId : null}
          />
        ))}
      </div>
    </div>
  );
}
