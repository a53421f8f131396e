import { useEffect, useRef } from 'react';
import type { GenerationSummary } from '@shared/domain/generation';
import { prepareCanvas, putFrame } from '../../lib/canvasDraw';
import { formatDurationMs } from '../../lib/format';
import type { JobView } from '../generation/jobStore';
import { differenceHeatMap } from '@shared/media/quality';
import { formatPixelDifference, formatPsnr, formatSpeedUp, formatSsim } from './compareMetrics';
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
  /** SSIM and PSNR (dB) vs the baseline on the decoded frames, averaged over frames. */
  ssim: number | null;
  psnr: number | null;
}

interface CompareCellProps {
  index: number;
  variant: CompareVariant;
  jobId: string | null;
  facts: CellFacts;
  clipReady: boolean;
  /** The shared frame every cell shows (synced playback). */
  frame: number;
  /** When set, the cell shows its per-pixel difference from this (baseline) job's clip instead of its frame. */
  differenceFrom: string | null;
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
export function CompareCell({ index, variant, jobId, facts, clipReady, frame, differenceFrom }: CompareCellProps): React.JSX.Element {
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
      const baseline = differenceFrom ? compareClip(differenceFrom) : undefined;
      const heat = baseline ? differenceHeatMap(baseline, clip, shown) : null;
      if (heat) {
        context.putImageData(new ImageData(heat as Uint8ClampedArray<ArrayBuffer>, clip.width, clip.height), 0, 0);
      } else {
        putFrame(context, clip, shown);
      }
      canvas.dataset.frame = String(shown);
      canvas.dataset.view = heat ? 'difference' : 'frame';
    }
  }, [jobId, clipReady, frame, differenceFrom]);

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
      data-ssim={facts.ssim ?? ''}
      data-psnr={facts.psnr ?? ''}
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
        <dt title="Structural similarity to the baseline (Wang et al. 2004) on luma, 11×11 Gaussian window, averaged over frames; 1 = identical">SSIM</dt>
        <dd data-testid="compare-ssim">{isBaseline ? 'baseline' : formatSsim(facts.ssim)}</dd>
        <dt title="Peak signal-to-noise ratio against the baseline over R, G, B, averaged over frames; ∞ = identical">PSNR</dt>
        <dd data-testid="compare-psnr">{isBaseline ? 'baseline' : formatPsnr(facts.psnr)}</dd>
      </dl>
    </figure>
  );
}
