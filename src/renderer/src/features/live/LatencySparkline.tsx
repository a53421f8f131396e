import { linearScale, toPoints } from '../../lib/chartScale';
import { formatDurationMs } from '../../lib/format';
import type { StepRecord } from '../generation/jobStore';

const WIDTH = 320;
const HEIGHT = 64;
const PAD = { left: 4, right: 4, top: 6, bottom: 6 };

interface LatencySparklineProps {
  steps: readonly StepRecord[];
  totalSteps: number;
}

/** Per-step latency, with the TDTM-merged steps shaded and the LPL leap marked. */
export function LatencySparkline({ steps, totalSteps }: LatencySparklineProps): React.JSX.Element {
  const count = Math.max(totalSteps, steps.length, 2);
  const maxMs = Math.max(1, ...steps.map((step) => step.latencyMs)) * 1.1;
  const x = linearScale(0, count - 1, PAD.left, WIDTH - PAD.right);
  const y = linearScale(0, maxMs, HEIGHT - PAD.bottom, PAD.top);
  const band = (WIDTH - PAD.left - PAD.right) / (count - 1);
  const points = steps.map((step) => [x(step.stepIndex), y(step.latencyMs)] as const);
  const last = steps[steps.length - 1];
  const leap = steps.find((step) => step.leap);
  return (
    <figure className="gauge" data-testid="latency-sparkline" data-points={steps.length}>
      <figcaption>
        <span className="gauge-title">Step latency</span>
        <span className="gauge-value">{last ? formatDurationMs(last.latencyMs) : '–'}</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={last ? `Step latency, last ${formatDurationMs(last.latencyMs)}, ${steps.length} steps` : 'Step latency: no steps yet'}>
        {steps
          .filter((step) => step.merged)
          .map((step) => (
            <rect key={step.stepIndex} className="merged-band" x={x(step.stepIndex) - band / 2} y={0} width={band} height={HEIGHT} />
          ))}
        {leap ? <line className="leap-line" x1={x(leap.stepIndex)} x2={x(leap.stepIndex)} y1={0} y2={HEIGHT} /> : null}
        {points.length > 0 ? <polyline className="series latency" points={toPoints(points)} /> : null}
        {points.map(([px, py], index) => (
          <circle key={index} className="dot latency" cx={px} cy={py} r={1.6} />
        ))}
      </svg>
    </figure>
  );
}
