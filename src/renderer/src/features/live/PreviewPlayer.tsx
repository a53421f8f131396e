import { useEffect, useRef, useState } from 'react';
import type { JobId } from '@shared/domain/studio';
import { prepareCanvas, putFrame } from '../../lib/canvasDraw';
import { jobStore } from '../generation/jobFeed';

interface PreviewPlayerProps {
  jobId: JobId | null;
  /** Show this step's preview; null follows the newest step. */
  pinnedStep: number | null;
  fps: number;
}

/**
 * The animated x0 preview of every frame, redrawn at each step. Pixels go from the job store straight to the
 * canvas; the step and frame shown are written to the canvas's data attributes and the caption, not to React state.
 */
export function PreviewPlayer({ jobId, pinnedStep, fps }: PreviewPlayerProps): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const captionRef = useRef<HTMLSpanElement>(null);
  const frameRef = useRef(0);
  const [playing, setPlaying] = useState(true);

  useEffect(() => {
    const canvas = canvasRef.current;
    const caption = captionRef.current;
    if (!canvas || !caption) {
      return;
    }
    if (!jobId) {
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      delete canvas.dataset.step;
      caption.textContent = 'No preview yet';
      return;
    }
    let latestStep = jobStore.latestPreviewStep(jobId);
    const draw = (): void => {
      const step = pinnedStep ?? latestStep;
      const preview = step >= 0 ? jobStore.preview(jobId, step) : undefined;
      if (!preview) {
        caption.textContent = 'Waiting for the first step…';
        return;
      }
      const frame = frameRef.current % preview.frames;
      const context = prepareCanvas(canvas, preview.width, preview.height);
      if (!context) {
        return;
      }
      putFrame(context, preview, frame);
      canvas.dataset.step = String(step);
      canvas.dataset.frame = String(frame);
      caption.textContent = `Step ${step + 1}${pinnedStep === null ? '' : ' (pinned)'} · frame ${frame + 1}/${preview.frames}`;
    };
    const offPreview = jobStore.onPreview((id, step) => {
      if (id !== jobId) {
        return;
      }
      latestStep = Math.max(latestStep, step);
      if (pinnedStep === null) {
        draw();
      }
    });
    draw();
    const timer = playing
      ? setInterval(() => {
          frameRef.current++;
          draw();
        }, 1000 / Math.max(1, fps))
      : undefined;
    return () => {
      offPreview();
      clearInterval(timer);
    };
  }, [jobId, pinnedStep, playing, fps]);

  return (
    <figure className="preview-player">
      <canvas ref={canvasRef} className="pixelated preview-canvas" data-testid="preview-canvas" aria-label="Animated x0 preview of all frames at the current step" role="img" width={8} height={8} />
      <figcaption>
        <button type="button" data-testid="preview-play" aria-pressed={playing} onClick={() => setPlaying((value) => !value)}>
          {playing ? 'Pause animation' : 'Play animation'}
        </button>
        <span ref={captionRef} aria-live="off" data-testid="preview-caption" />
      </figcaption>
    </figure>
  );
}
