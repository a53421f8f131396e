import { useEffect, useState } from 'react';
import type { BrokenModel } from '@shared/domain/models';
import type { ModelSummary } from '@shared/domain/studio';
import { describeError, studio } from '../../ipc/studio';
import { formatMegabytes } from '@shared/util/bytes';
import { forecastMemory } from '../composer/forecast';

/** The models of this studio with their size and memory forecast; added ones (also broken ones) can be removed. */
export function ModelList({ models }: { models: readonly ModelSummary[] }): React.JSX.Element {
  const broken = useBrokenModels();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const remove = (id: string): void => {
    setConfirming(null);
    setProblem(null);
    studio.invoke('models.remove', { id }).catch((reason: unknown) => setProblem(describeError(reason).message));
  };
  const removeButtons = (id: string, name: string): React.JSX.Element =>
    confirming === id ? (
      <span className="inline">
        Delete {name} from the data folder?
        <button type="button" className="danger" data-testid="model-remove-confirm" onClick={() => remove(id)}>
          Remove
        </button>
        <button type="button" onClick={() => setConfirming(null)}>
          Keep
        </button>
      </span>
    ) : (
      <button type="button" data-testid="model-remove" onClick={() => setConfirming(id)}>
        Remove
      </button>
    );
  return (
    <div>
      <ul className="model-list" data-testid="model-list">
        {models.map((model) => (
          <li key={model.id} data-testid="model-row" data-model-id={model.id}>
            <div>
              <strong>{model.name}</strong> {model.version} <span className="hint">({model.id})</span>
            </div>
            <div className="hint" data-testid="model-size">
              {formatMegabytes(model.totalBytes)} of weights · {describeForecast(model)}
            </div>
            {model.builtin ? <span className="hint">Built in</span> : removeButtons(model.id, model.name)}
          </li>
        ))}
        {broken.map((model) => (
          <li key={model.id} data-testid="model-row-broken" data-model-id={model.id}>
            <div>
              <strong>{model.id}</strong> <span className="error">does not read</span>
            </div>
            <div className="hint error">{model.reason}</div>
            {removeButtons(model.id, model.id)}
          </li>
        ))}
      </ul>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The forecast at the model's default clip: the least memory that runs it (units streamed) and the most (all loaded),
 * both with the clip's activation estimate, as the composer's forecast counts them.
 */
function describeForecast(model: ModelSummary): string {
  const forecast = forecastMemory(model, { kind: 'all' }, { usesMergedSteps: false, conditioned: false });
  if (forecast.kind !== 'ok') {
    return 'no forecast';
  }
  const clip = forecast.clip ? ` for ${forecast.clip.frames} × ${forecast.clip.width}×${forecast.clip.height}` : '';
  if (forecast.minimumBytes >= forecast.peakBytes) {
    // Streaming saves nothing: the clip's activations outweigh the largest unit.
    return `needs ${formatMegabytes(forecast.peakBytes)}${clip}`;
  }
  return `needs ${formatMegabytes(forecast.minimumBytes)} streamed to ${formatMegabytes(forecast.peakBytes)} all loaded${clip}`;
}

/** Added models that do not read (models.broken), refetched when models change. */
function useBrokenModels(): BrokenModel[] {
  const [broken, setBroken] = useState<BrokenModel[]>([]);
  const [changes, setChanges] = useState(0);
  useEffect(() => studio.on('models.changed', () => setChanges((count) => count + 1)), []);
  useEffect(() => {
    let live = true;
    studio.invoke('models.broken', {}).then(
      (models) => live && setBroken(models),
      () => live && setBroken([]),
    );
    return () => {
      live = false;
    };
  }, [changes]);
  return broken;
}
