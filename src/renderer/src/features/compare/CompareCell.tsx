import { useEffect, useRef } from 'react';
import type { GenerationSummary } from '../../../../shared/domain/generation';
import { prepareCanvas, putFrame } from '../../lib/canvasDraw';
import { formatDurationMs } from '../../lib/format';
import type { JobView } from '../generation/jobStore';
import { formatPixelDifference, formatSpeedUp } from './compareMetrics';
import { variantLabel, type CompareVariant } from './compareVariants';
import { compareClip } from './useCompareClips';

export type CellStatus = 'submitting' | 'refused' | JobView['status'];

export interface CellFacts {
  status: CellStatus;
  summary: GenerationSummary | null;
  /** Steps reported so far while it runs. */
  stepsSeen: number;
  message: string | null;
  speedUpTotal: number | null;
  speedUpDenoise: number | null;
  /** Mean absolute pixel difference vs the baseline (0–255), null until both clips are loaded. */
  difference: number | null;
}

interface CompareCellProps {
  index: number;
  variant: CompareVariant;
  jobId: string | null;
  facts: CellFacts;
  clipReady: boolean;
  /** The shared frame every cell shows (synced playback). */
  frame: number;
}

const STATUS_TEXT: Record<CellStatus, string> = {
  submitting: 'queueing…',
  refused: 'refused',
  queued: 'waiting in the queue',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** One variant: its final frames on a canvas (drawn from the clip store, never React state) and what it measured. */
export function CompareCell({ index, variant, jobId, facts, clipReady, frame }: CompareCellProps): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { summary, status } = facts;

  useEffect(() => {
    const canvas = canvasRef.current;
    const clip = jobId && clipReady ? compareClip(jobId) : undefined;
    if (!canvas || !clip) {
      return;
    }
    const context = prepareCanvas(canvas, clip.width, clip.height);
    if (context) {
      const shown = frame % clip.frames;
      putFrame(context, clip, shown);
      canvas.dataset.frame = String(shown);
    }
  }, [jobId, clipReady, frame]);

  const label = variantLabel(variant);
  const isBaseline = index === 0;
  return (
    <figure
      className={`compare-cell ${status}`}
      data-testid="compare-cell"
      data-index={index}
      data-status={status}
      data-job-id={jobId ?? ''}
      data-model-calls={summary?.stepsRun ?? ''}
      data-difference={facts.difference ?? ''}
    >
      <figcaption>
        <strong>
          {index + 1}. {label}
        </strong>
        {isBaseline ? <span className="muted"> (baseline)</span> : null}
        <span className={`status-tag ${status}`} data-testid="compare-status">
          {status === 'running' && facts.stepsSeen > 0 ? `step ${facts.stepsSeen}/${variant.steps}` : STATUS_TEXT[status]}
        </span>
      </figcaption>
      <canvas
        ref={canvasRef}
        className="pixelated compare-canvas"
        data-testid="compare-canvas"
        role="img"
        aria-label={clipReady ? `${label}: final frames, looping` : `${label}: no frames yet`}
        width={1}
        height={1}
      />
      {facts.message ? (
        <p className="hint error" role="alert">
          {facts.message}
        </p>
      ) : null}
      <dl className="facts compact compare-facts">
        <dt>Model calls</dt>
        <dd data-testid="compare-model-calls">{summary ? summary.stepsRun : '–'}</dd>
        <dt>Leap step</dt>
        <dd data-testid="compare-leap">{summary ? (summary.leapStep === null ? 'no leap' : `after ${summary.leapStep}`) : '–'}</dd>
        <dt>Denoise</dt>
        <dd data-testid="compare-denoise">{summary ? formatDurationMs(summary.timingsMs.denoise) : '–'}</dd>
        <dt>Total</dt>
        <dd data-testid="compare-total">{summary ? formatDurationMs(summary.timingsMs.total) : '–'}</dd>
        <dt>Speed-up</dt>
        <dd data-testid="compare-speedup">
          {isBaseline ? 'baseline' : `${formatSpeedUp(facts.speedUpTotal)} total · ${formatSpeedUp(facts.speedUpDenoise)} denoise`}
        </dd>
        <dt title="Mean absolute difference of the RGB values over every pixel of every frame, against the baseline">Pixel difference</dt>
        <dd data-testid="compare-difference">{isBaseline ? 'baseline' : formatPixelDifference(facts.difference)}</dd>
      </dl>
    </figure>
  );
}
