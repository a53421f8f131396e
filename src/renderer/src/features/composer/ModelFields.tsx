import type { ModelSummary } from '@shared/domain/studio';
import { clipKey } from '@shared/model/clipMemory';
import type { ComposerSettings } from './composerSettings';
import { numberValue } from './SamplerFields';

interface ModelFieldsProps {
  settings: ComposerSettings;
  models: readonly ModelSummary[];
  selectedModel: ModelSummary | undefined;
  update: (change: Partial<ComposerSettings>) => void;
  /** Opens "Add model…" (the models dialog). */
  onManageModels: () => void;
}

/** What is set once and kept for many runs: the model (and "Add model…"), its clip size, and TDTM. */
export function ModelFields({ settings, models, selectedModel, update, onManageModels }: ModelFieldsProps): React.JSX.Element {
  const presets = selectedModel?.clipPresets;
  return (
    <div className="field-grid">
      <div className="field span-2">
        <label htmlFor="model-select">Model</label>
        <div className="inline">
          <select
            id="model-select"
            data-testid="model-select"
            value={selectedModel?.id ?? ''}
            disabled={models.length === 0}
            onChange={(event) => update({ modelId: event.target.value })}
          >
            {models.length === 0 ? <option value="">No model found</option> : null}
            {models.map((model) => (
              <option key={model.id} value={model.id}>
                {model.name} {model.version} ({model.native.frames} × {model.native.width}×{model.native.height} px)
              </option>
            ))}
          </select>
          <button type="button" data-testid="add-model-button" onClick={onManageModels}>
            Add model…
          </button>
        </div>
      </div>

      {presets ? (
        <div className="field span-2">
          <label htmlFor="clip-preset">Clip size</label>
          <select id="clip-preset" data-testid="clip-preset" value={settings.clipPreset} onChange={(event) => update({ clipPreset: event.target.value })}>
            <option value="">Model default</option>
            {presets.resolutions.flatMap((resolution) =>
              resolution.aspects.flatMap((aspect) =>
                presets.durations.map((duration) => (
                  <option key={clipKey({ resolution: resolution.name, aspect: aspect.aspect, frames: duration.frames })} value={clipKey({ resolution: resolution.name, aspect: aspect.aspect, frames: duration.frames })}>
                    {resolution.name} {aspect.aspect} · {duration.name} ({duration.frames} frames, {aspect.width}×{aspect.height} px)
                  </option>
                )),
              ),
            )}
          </select>
        </div>
      ) : null}

      <div className="field">
        <label htmlFor="tdtm-input">TDTM merged steps (m)</label>
        <input
          id="tdtm-input"
          data-testid="tdtm-input"
          type="number"
          min={0}
          step={1}
          value={numberValue(settings.tdtmMergedSteps)}
          onChange={(event) => update({ tdtmMergedSteps: event.target.valueAsNumber })}
        />
      </div>
    </div>
  );
}
