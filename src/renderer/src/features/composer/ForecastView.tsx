import { formatMegabytes } from '@shared/util/bytes';
import { PASS_LABELS, type MemoryForecast } from './forecast';

/** The memory forecast before a run: what stays resident, the expected peak, the minimum working set. */
export function ForecastView({ forecast, unavailable }: { forecast: MemoryForecast | null; unavailable: string }): React.JSX.Element {
  if (!forecast) {
    return (
      <div className="forecast" data-testid="forecast" data-kind="none">
        <p className="hint">{unavailable}</p>
      </div>
    );
  }
  const scale = Math.max(forecast.budgetBytes, forecast.kind === 'ok' ? forecast.peakBytes : forecast.minimumBytes, 1);
  const percent = (bytes: number): string => `${Math.min(100, (bytes / scale) * 100).toFixed(1)}%`;
  return (
    <div className="forecast" data-testid="forecast" data-kind={forecast.kind}>
      <h3>Memory forecast (model weights)</h3>
      {forecast.kind === 'below-minimum' ? (
        <p className="error" data-testid="forecast-warning">
          A budget of {formatMegabytes(forecast.budgetBytes)} is below this model&apos;s minimum working set of {formatMegabytes(forecast.minimumBytes)}: the two
          largest consecutive units must fit at once. The run would be refused.
        </p>
      ) : (
        <>
          <div className="forecast-bar" role="img" aria-label={`Resident ${formatMegabytes(forecast.residentBytes)}, peak ${formatMegabytes(forecast.peakBytes)} of a ${formatMegabytes(forecast.budgetBytes)} budget`}>
            <span className="peak" style={{ width: percent(forecast.peakBytes) }} />
            <span className="resident" style={{ width: percent(forecast.residentBytes) }} />
            <span className="minimum" style={{ left: percent(forecast.minimumBytes) }} title="minimum working set" />
          </div>
          <dl className="facts compact">
            <dt>Resident across steps</dt>
            <dd data-testid="forecast-resident" data-bytes={forecast.residentBytes}>
              {formatMegabytes(forecast.residentBytes)} ({forecast.residentUnitIds.length} of {forecast.residentUnitIds.length + forecast.streamedUnitIds.length} denoiser units)
            </dd>
            <dt>Expected peak</dt>
            <dd data-testid="forecast-peak" data-bytes={forecast.peakBytes}>
              {formatMegabytes(forecast.peakBytes)}
            </dd>
            <dt>Budget</dt>
            <dd data-testid="forecast-budget" data-bytes={forecast.budgetBytes}>
              {formatMegabytes(forecast.budgetBytes)}
            </dd>
            <dt>Minimum working set</dt>
            <dd data-testid="forecast-minimum" data-bytes={forecast.minimumBytes}>
              {formatMegabytes(forecast.minimumBytes)}
            </dd>
            {forecast.clip && forecast.activationPeakBytes !== null ? (
              <>
                <dt>Activations (estimate)</dt>
                <dd data-testid="forecast-activations" data-bytes={forecast.activationPeakBytes}>
                  {formatMegabytes(forecast.activationPeakBytes)} at {forecast.clip.frames} × {forecast.clip.width}×{forecast.clip.height} px
                </dd>
              </>
            ) : null}
          </dl>
        </>
      )}
      <details>
        <summary>Per pass</summary>
        <table className="mini-table">
          <thead>
            <tr>
              <th scope="col">Pass</th>
              <th scope="col">Units</th>
              <th scope="col">Resident</th>
              <th scope="col">Peak</th>
              <th scope="col">Minimum</th>
              <th scope="col">Activations (est.)</th>
            </tr>
          </thead>
          <tbody>
            {forecast.passes.map((pass) => (
              <tr key={pass.pass}>
                <th scope="row">{PASS_LABELS[pass.pass]}</th>
                <td>
                  {pass.residentCount}/{pass.unitCount}
                </td>
                <td>{formatMegabytes(pass.residentBytes)}</td>
                <td>{formatMegabytes(pass.peakBytes)}</td>
                <td>{formatMegabytes(pass.minWorkingSetBytes)}</td>
                <td>{pass.activationBytes === null ? '–' : formatMegabytes(pass.activationBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
