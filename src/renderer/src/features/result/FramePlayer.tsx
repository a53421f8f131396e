import { FrameStepControls } from '../../components/FrameStepControls';
import { playbackKeyAction } from '../../lib/playbackKeys';
import { useEffect, useRef, useState } from 'react';
import type { JobId } from '@shared/domain/studio';
import { prepareCanvas, putFrame } from '../../lib/canvasDraw';
import { resultClip } from './useJobResult';

const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

interface FramePlayerProps {
  jobId: JobId;
  frames: number;
  fps: number;
  /** Reports the frame shown (for "save this frame"). */
  onFrameChange: (frameIndex: number) => void;
}

/** A looping canvas player: play/pause, frame stepping, a frame slider and speed. Space and ←/→ work inside it. */
export function FramePlayer({ jobId, frames, fps, onFrameChange }: FramePlayerProps): React.JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState<number>(1);
  const [loop, setLoop] = useState(true);

  useEffect(() => {
    setFrame(0);
    setPlaying(true);
  }, [jobId]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const clip = resultClip(jobId);
    if (!canvas || !clip) {
      return;
    }
    const context = prepareCanvas(canvas, clip.width, clip.height);
    if (context) {
      putFrame(context, clip, frame);
      canvas.dataset.frame = String(frame);
    }
    onFrameChange(frame);
  }, [jobId, frame, onFrameChange]);

  useEffect(() => {
    if (!playing) {
      return;
    }
    const timer = setInterval(() => setFrame((current) => (current + 1 < frames ? current + 1 : loop ? 0 : current)), 1000 / (fps * speed));
    return () => clearInterval(timer);
  }, [playing, fps, speed, frames, loop]);

  // Without looping, playback stops on the last frame.
  useEffect(() => {
    if (playing && !loop && frame === frames - 1) {
      setPlaying(false);
    }
  }, [playing, loop, frame, frames]);

  const togglePlay = (): void => {
    if (!playing && !loop && frame === frames - 1) {
      setFrame(0);
    }
    setPlaying((value) => !value);
  };

  const step = (delta: number): void => {
    setPlaying(false);
    setFrame((current) => (current + delta + frames) % frames);
  };

  const onKeyDown = (event: React.KeyboardEvent): void => {
    const action = playbackKeyAction(event, ['SELECT', 'INPUT']);
    if (action === 'toggle') {
      togglePlay();
    } else if (action) {
      step(action === 'previous' ? -1 : 1);
    }
  };

  return (
    <div className="frame-player" onKeyDown={onKeyDown} data-testid="player">
      <canvas
        ref={canvasRef}
        className="pixelated player-canvas"
        data-testid="player-canvas"
        tabIndex={0}
        role="img"
        aria-label={`Result clip, frame ${frame + 1} of ${frames}. Space plays or pauses, arrow keys step frames.`}
        width={1}
        height={1}
      />
      <div className="player-controls">
        <FrameStepControls
          frame={frame}
          frames={frames}
          playing={playing}
          testIdPrefix="player"
          onStep={step}
          onTogglePlay={togglePlay}
          onSeek={(value) => {
            setPlaying(false);
            setFrame(value);
          }}
        />
        <span className="muted" data-testid="player-frame-label">
          {frame + 1}/{frames}
        </span>
        <label className="inline">
          Speed
          <select value={speed} onChange={(event) => setSpeed(Number(event.target.value))} data-testid="player-speed">
            {SPEEDS.map((value) => (
              <option key={value} value={value}>
                {value}×
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={loop} onChange={(event) => setLoop(event.target.checked)} /> Loop
        </label>
      </div>
    </div>
  );
}
