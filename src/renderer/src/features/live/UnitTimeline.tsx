import { linearScale } from '../../lib/chartScale';
import { formatDurationMs } from '../../lib/format';
import type { StepRecord } from '../generation/jobStore';

const WIDTH = 640;
const ROW_HEIGHT = 16;
const PAD = { left: 44, right: 4, top: 4, bottom: 14 };
const WINDOW_STEPS = 3;

interface UnitTimelineProps {
  steps: readonly StepRecord[];
  /** The step the window ends at (pinned or newest). */
  focusStep: number | null;
}

/** Loading vs computing per unit and executor over the last few steps: CI-DL's overlap shows as bars side by side. */
export function UnitTimeline({ steps, focusStep }: UnitTimelineProps): React.JSX.Element {
  const endIndex = focusStep ?? (steps.length > 0 ? steps[steps.length - 1].stepIndex : -1);
  const shown = steps.filter((step) => step.stepIndex <= endIndex && step.stepIndex > endIndex - WINDOW_STEPS);
  const units = shown.flatMap((step) => step.units.map((unit) => ({ ...unit, stepIndex: step.stepIndex })));
  const executors = [...new Set(units.map((unit) => unit.executor))].sort((a, b) => a - b);
  const startMs = Math.min(...units.map((unit) => unit.loadStartMs ?? unit.runStartMs));
  const endMs = Math.max(...units.map((unit) => unit.runEndMs));
  const height = PAD.top + Math.max(1, executors.length) * ROW_HEIGHT + PAD.bottom;
  const x = linearScale(startMs, endMs, PAD.left, WIDTH - PAD.right);
  const overlapMs = shown.reduce((sum, step) => sum + step.overlapMs, 0);
  const loads = units.filter((unit) => unit.loadStartMs !== null && unit.loadEndMs !== null).length;
  const rowY = (executor: number): number => PAD.top + executors.indexOf(executor) * ROW_HEIGHT;
  const label =
    units.length === 0
      ? 'Unit timeline: no steps yet'
      : `Unit timeline of steps ${shown[0].stepIndex + 1}–${endIndex + 1}: ${units.length} unit runs, ${loads} loads, ${formatDurationMs(overlapMs)} of loading overlapped with compute`;
  return (
    <figure className="gauge timeline" data-testid="unit-timeline" data-bars={units.length} data-loads={loads}>
      <figcaption>
        <span className="gauge-title">Units: load vs compute</span>
        <span className="gauge-value" data-testid="overlap-ms">
          overlap {formatDurationMs(overlapMs)}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label}>
        {executors.map((executor) => (
          <text key={executor} className="tick" x={2} y={rowY(executor) + ROW_HEIGHT * 0.7}>
            exec {executor}
          </text>
        ))}
        {units.map((unit, index) => {
          const y = rowY(unit.executor);
          return (
            <g key={index}>
              {unit.loadStartMs !== null && unit.loadEndMs !== null ? (
                <rect className="bar load" x={x(unit.loadStartMs)} y={y + 2} width={Math.max(1, x(unit.loadEndMs) - x(unit.loadStartMs))} height={ROW_HEIGHT / 2 - 2}>
                  <title>{`${unit.unitId} (step ${unit.stepIndex + 1}): load ${formatDurationMs(unit.loadEndMs - unit.loadStartMs)}`}</title>
                </rect>
              ) : null}
              <rect className="bar run" x={x(unit.runStartMs)} y={y + ROW_HEIGHT / 2} width={Math.max(1, x(unit.runEndMs) - x(unit.runStartMs))} height={ROW_HEIGHT / 2 - 2}>
                <title>{`${unit.unitId} (step ${unit.stepIndex + 1}): compute ${formatDurationMs(unit.runEndMs - unit.runStartMs)}`}</title>
              </rect>
            </g>
          );
        })}
        {units.length > 0 ? (
          <>
            <text className="tick" x={PAD.left} y={height - 2}>
              {(startMs / 1000).toFixed(2)} s
            </text>
            <text className="tick" x={WIDTH - PAD.right} y={height - 2} textAnchor="end">
              {(endMs / 1000).toFixed(2)} s
            </text>
          </>
        ) : null}
      </svg>
      <p className="legend">
        <span className="swatch load" /> loading <span className="swatch run" /> computing · last {WINDOW_STEPS} steps
      </p>
    </figure>
  );
}
