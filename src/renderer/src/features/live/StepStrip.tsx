import { memo, useEffect, useRef } from 'react';
import type { JobId } from '@shared/domain/studio';
import { prepareCanvas, putFrame } from '../../lib/canvasDraw';
import { stepsOf } from '../generation/jobStore';
import { jobStore, useJobSlice } from '../generation/jobFeed';

const THUMB_FRAMES = 4;

/**
 * A step's preview as a few frames side by side (so motion shows, not only the first frame). Memoized: a new step
 * adds a thumbnail and leaves the others alone.
 */
const StepThumbnail = memo(function StepThumbnail({ jobId, stepIndex }: { jobId: JobId; stepIndex: number }): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    const preview = jobStore.preview(jobId, stepIndex);
    if (!canvas || !preview) {
      return;
    }
    const shown = Math.min(THUMB_FRAMES, preview.frames);
    const context = prepareCanvas(canvas, preview.width * shown, preview.height);
    if (!context) {
      return;
    }
    for (let i = 0; i < shown; i++) {
      const frame = shown === 1 ? 0 : Math.round((i * (preview.frames - 1)) / (shown - 1));
      putFrame(context, preview, frame, i * preview.width, 0);
    }
  }, [jobId, stepIndex]);
  return <canvas ref={canvasRef} className="pixelated thumb-canvas" width={1} height={1} aria-hidden="true" />;
});

interface StepStripProps {
  jobId: JobId;
  pinnedStep: number | null;
  onPin: (stepIndex: number | null) => void;
}

/** Per-step thumbnails to scrub: pick one to pin the preview to that step; ←/→/Home/End move along the strip. */
export function StepStrip({ jobId, pinnedStep, onPin }: StepStripProps): React.JSX.Element {
  const steps = useJobSlice(jobId, stepsOf);
  const listRef = useRef<HTMLDivElement>(null);
  const withPreview = steps.filter((step) => step.hasPreview);
  const activeIndex = pinnedStep === null ? withPreview.length - 1 : withPreview.findIndex((step) => step.stepIndex === pinnedStep);

  // Following live: keep the newest thumbnail in view.
  useEffect(() => {
    const list = listRef.current;
    if (list && pinnedStep === null) {
      list.scrollLeft = list.scrollWidth;
    }
  }, [withPreview.length, pinnedStep]);

  const focusStep = (position: number): void => {
    const clamped = Math.min(Math.max(0, position), withPreview.length - 1);
    const step = withPreview[clamped];
    if (!step) {
      return;
    }
    onPin(step.stepIndex);
    listRef.current?.querySelectorAll<HTMLButtonElement>('button.thumb')[clamped]?.focus();
  };

  const onKeyDown = (event: React.KeyboardEvent): void => {
    const moves: Record<string, number> = { ArrowLeft: activeIndex - 1, ArrowRight: activeIndex + 1, Home: 0, End: withPreview.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      focusStep(moves[event.key]);
    }
  };

  return (
    <div className="step-strip-wrap">
      <div className="strip-header">
        <span id="strip-label">Steps (x0 preview of each)</span>
        <button type="button" data-testid="follow-live" disabled={pinnedStep === null} onClick={() => onPin(null)}>
          Follow live
        </button>
      </div>
      <div className="step-strip" role="toolbar" aria-labelledby="strip-label" ref={listRef} onKeyDown={onKeyDown} data-testid="step-strip" data-count={withPreview.length}>
        {withPreview.map((step, position) => (
          <button
            key={step.stepIndex}
            type="button"
            className={`thumb${step.merged ? ' merged' : ''}${step.leap ? ' leap' : ''}`}
            tabIndex={position === Math.max(0, activeIndex) ? 0 : -1}
            aria-pressed={pinnedStep === step.stepIndex}
            aria-label={`Step ${step.stepIndex + 1}, t=${Math.round(step.timestep)}${step.merged ? ', TDTM merged' : ''}${step.leap ? ', LPL leap' : ''}`}
            data-testid={`thumb-${step.stepIndex}`}
            onClick={() => onPin(pinnedStep === step.stepIndex ? null : step.stepIndex)}
          >
            <StepThumbnail jobId={jobId} stepIndex={step.stepIndex} />
            <span>{step.stepIndex + 1}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
