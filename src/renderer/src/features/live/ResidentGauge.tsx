import { formatMegabytes } from '@shared/util/bytes';

interface ResidentGaugeProps {
  residentBytes: number | null;
  budgetBytes: number | null;
  minimumBytes: number | null;
  residentUnitCount: number;
}

/** Model weights loaded during the last step (resident prefix + streamed units at their peak) against the budget, with the minimum working set marked. */
export function ResidentGauge({ residentBytes, budgetBytes, minimumBytes, residentUnitCount }: ResidentGaugeProps): React.JSX.Element {
  const scale = Math.max(1, budgetBytes ?? 0, residentBytes ?? 0);
  const width = (bytes: number): string => `${Math.min(100, (bytes / scale) * 100).toFixed(1)}%`;
  return (
    <figure className="gauge" data-testid="resident-gauge" data-bytes={residentBytes ?? 0} data-budget={budgetBytes ?? 0} data-minimum={minimumBytes ?? 0}>
      <figcaption>
        <span className="gauge-title">Model weights loaded</span>
        <span className="gauge-value">{residentBytes === null ? '–' : formatMegabytes(residentBytes)}</span>
      </figcaption>
      <div
        className="meter"
        role="meter"
        aria-label="Model weights loaded during the last step against the memory budget"
        aria-valuemin={0}
        aria-valuemax={scale}
        aria-valuenow={residentBytes ?? 0}
        aria-valuetext={residentBytes === null ? 'no data' : `${formatMegabytes(residentBytes)} of ${budgetBytes ? formatMegabytes(budgetBytes) : 'no'} budget`}
      >
        <span className="fill" style={{ width: width(residentBytes ?? 0) }} />
        {minimumBytes ? <span className="mark" style={{ left: width(minimumBytes) }} title={`minimum working set ${formatMegabytes(minimumBytes)}`} /> : null}
      </div>
      <p className="legend">
        budget {budgetBytes ? formatMegabytes(budgetBytes) : '–'} · minimum {minimumBytes ? formatMegabytes(minimumBytes) : '–'} · {residentUnitCount} denoiser units kept resident
      </p>
    </figure>
  );
}
