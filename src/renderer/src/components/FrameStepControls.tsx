interface FrameStepControlsProps {
  frame: number;
  frames: number;
  playing: boolean;
  /** Prefix of the test ids: `${testIdPrefix}-play`, `${testIdPrefix}-frame`. */
  testIdPrefix: string;
  /** What the buttons act on, added to their accessible names, e.g. "all variants". */
  ariaScope?: string;
  /** Appended to the Play/Pause text, e.g. " all". */
  playTextSuffix?: string;
  disabled?: boolean;
  onStep: (delta: number) => void;
  onTogglePlay: () => void;
  /** The slider moved: show this frame (players pause on it). */
  onSeek: (frame: number) => void;
}

/** Previous / play-pause / next buttons and a frame slider, shared by the result player and the compare grid. */
export function FrameStepControls({ frame, frames, playing, testIdPrefix, ariaScope, playTextSuffix = '', disabled, onStep, onTogglePlay, onSeek }: FrameStepControlsProps): React.JSX.Element {
  const scoped = (label: string): string => (ariaScope ? `${label} (${ariaScope})` : label);
  return (
    <>
      <button type="button" aria-label={scoped('Previous frame')} onClick={() => onStep(-1)} disabled={disabled}>
        ‹ Prev
      </button>
      <button type="button" data-testid={`${testIdPrefix}-play`} aria-pressed={playing} onClick={onTogglePlay} disabled={disabled}>
        {`${playing ? 'Pause' : 'Play'}${playTextSuffix}`}
      </button>
      <button type="button" aria-label={scoped('Next frame')} onClick={() => onStep(1)} disabled={disabled}>
        Next ›
      </button>
      <label className="inline">
        Frame
        <input
          type="range"
          min={0}
          max={Math.max(0, frames - 1)}
          value={frame}
          disabled={disabled}
          data-testid={`${testIdPrefix}-frame`}
          onChange={(event) => onSeek(event.target.valueAsNumber)}
        />
      </label>
    </>
  );
}
