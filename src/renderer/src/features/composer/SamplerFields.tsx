import { GENERATION_LIMITS } from '@shared/domain/generation';
import type { ModelSummary } from '@shared/domain/studio';
import { clipKey } from '@shared/model/clipMemory';
import { randomSeed, type ComposerSettings, type LplMode, type SeedMode } from './composerSettings';

interface SamplerFieldsProps {
  settings: ComposerSettings;
  models: readonly ModelSummary[];
  update: (change: Partial<ComposerSettings>) => void;
  /** Opens "Add model…" (the models dialog). */
  onManageModels: () => void;
}

/** Number inputs keep what was typed; NaN (an empty box) is refused when generating, with the field named. */
function numberValue(value: number): string | number {
  return Number.isFinite(value) ? value : '';
}

/** Model, seed, steps, CFG, LPL and TDTM. */
export function SamplerFields({ settings, models, update, onManageModels }: SamplerFieldsProps): React.JSX.Element {
  const selectedModel = models.find((model) => model.id === settings.modelId) ?? models[0];
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

      <div className="field span-2">
        <label htmlFor="seed-mode">Seed</label>
        <div className="inline">
          <select id="seed-mode" data-testid="seed-mode" value={settings.seedMode} onChange={(event) => update({ seedMode: event.target.value as SeedMode })}>
            <option value="random">Random</option>
            <option value="locked">Locked</option>
          </select>
          <input
            type="number"
            aria-label="Seed value"
            data-testid="seed-input"
            min={0}
            max={GENERATION_LIMITS.seedMax}
            step={1}
            disabled={settings.seedMode === 'random'}
            value={numberValue(settings.seed)}
            onChange={(event) => update({ seed: event.target.valueAsNumber })}
          />
          <button type="button" className="icon" aria-label="New random seed (locks it)" title="New random seed" onClick={() => update({ seed: randomSeed(), seedMode: 'locked' })}>
            Roll
          </button>
        </div>
      </div>

      <div className="field">
        <label htmlFor="steps-input">Steps</label>
        <input
          id="steps-input"
          data-testid="steps-input"
          type="number"
          min={GENERATION_LIMITS.stepsMin}
          max={GENERATION_LIMITS.stepsMax}
          step={1}
          value={numberValue(settings.steps)}
          onChange={(event) => update({ steps: event.target.valueAsNumber })}
        />
      </div>

      <div className="field">
        <label htmlFor="cfg-input">CFG scale</label>
        <input
          id="cfg-input"
          data-testid="cfg-input"
          type="number"
          min={GENERATION_LIMITS.cfgMin}
          max={GENERATION_LIMITS.cfgMax}
          step={0.5}
          value={numberValue(settings.cfgScale)}
          onChange={(event) => update({ cfgScale: event.target.valueAsNumber })}
        />
      </div>

      <div className="field span-2">
        <label htmlFor="lpl-mode" title="Leap to the clean estimate (LPL)">LPL leap</label>
        <div className="inline">
          <select id="lpl-mode" data-testid="lpl-mode" value={settings.lplMode} onChange={(event) => update({ lplMode: event.target.value as LplMode })}>
            <option value="off">Off</option>
            <option value="fixed">Fixed step</option>
            <option value="dynamic">Dynamic</option>
          </select>
          {settings.lplMode === 'fixed' ? (
            <input
              type="number"
              aria-label="Leap at step (0-based)"
              data-testid="leap-step-input"
              min={1}
              step={1}
              value={numberValue(settings.leapStep)}
              onChange={(event) => update({ leapStep: event.target.valueAsNumber })}
            />
          ) : null}
        </div>
      </div>

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

      {selectedModel ? (
        <div className="field">
          <button
            type="button"
            className="link"
            onClick={() => update({ steps: selectedModel.defaults.steps, cfgScale: selectedModel.defaults.cfgScale })}
          >
            Use the model&apos;s defaults ({selectedModel.defaults.steps} steps, CFG {selectedModel.defaults.cfgScale})
          </button>
        </div>
      ) : null}
    </div>
  );
}
