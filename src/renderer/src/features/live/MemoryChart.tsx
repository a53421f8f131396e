import { formatMegabytes } from '@shared/util/bytes';
import { linearScale, toPoints } from '../../lib/chartScale';
import type { StepRecord } from '../generation/jobStore';

const WIDTH = 320;
const HEIGHT = 96;
const PAD = { left: 4, right: 4, top: 8, bottom: 14 };

interface MemoryChartProps {
  steps: readonly StepRecord[];
  budgetBytes: number | null;
}

/** Engine memory (RSS) over the job's time, with the resident model weights and the budget line. */
export function MemoryChart({ steps, budgetBytes }: MemoryChartProps): React.JSX.Element {
  const last = steps[steps.length - 1];
  const maxTimeMs = Math.max(1, ...steps.map((step) => step.jobTimeMs));
  const minTimeMs = steps.length > 1 ? Math.min(...steps.map((step) => step.jobTimeMs)) : 0;
  const maxBytes = Math.max(1, budgetBytes ?? 0, ...steps.map((step) => Math.max(step.rssBytes, step.residentBytes))) * 1.1;
  const x = linearScale(minTimeMs, maxTimeMs, PAD.left, WIDTH - PAD.right);
  const y = linearScale(0, maxBytes, HEIGHT - PAD.bottom, PAD.top);
  const rss = steps.map((step) => [x(step.jobTimeMs), y(step.rssBytes)] as const);
  const resident = steps.map((step) => [x(step.jobTimeMs), y(step.residentBytes)] as const);
  const label = last
    ? `Engine memory ${formatMegabytes(last.rssBytes)}, model weights loaded ${formatMegabytes(last.residentBytes)}${budgetBytes ? `, budget ${formatMegabytes(budgetBytes)}` : ''}`
    : 'Engine memory: no samples yet';
  return (
    <figure className="gauge" data-testid="memory-chart" data-samples={steps.length} data-last-rss={last?.rssBytes ?? 0}>
      <figcaption>
        <span className="gauge-title">Engine memory</span>
        <span className="gauge-value">{last ? formatMegabytes(last.rssBytes) : '–'}</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
        <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} />
        {budgetBytes ? (
          <g className="budget-line">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(budgetBytes)} y2={y(budgetBytes)} />
            <text x={WIDTH - PAD.right} y={y(budgetBytes) - 2} textAnchor="end">
              budget {formatMegabytes(budgetBytes)}
            </text>
          </g>
        ) : null}
        {resident.length > 0 ? <polyline className="series resident" points={toPoints(resident)} /> : null}
        {rss.length > 0 ? <polyline className="series rss" points={toPoints(rss)} /> : null}
        {rss.map(([px, py], index) => (
          <circle key={index} className="dot rss" cx={px} cy={py} r={1.6} />
        ))}
        <text className="tick" x={PAD.left} y={PAD.top + 2}>
          {formatMegabytes(maxBytes / 1.1)}
        </text>
        <text className="tick" x={PAD.left} y={HEIGHT - 2}>
          {(minTimeMs / 1000).toFixed(1)} s
        </text>
        <text className="tick" x={WIDTH - PAD.right} y={HEIGHT - 2} textAnchor="end">
          {(maxTimeMs / 1000).toFixed(1)} s
        </text>
      </svg>
      <p className="legend">
        <span className="swatch rss" /> RSS <span className="swatch resident" /> weights loaded <span className="swatch budget" /> budget
      </p>
    </figure>
  );
}
