import { GENERATION_LIMITS } from '@shared/domain/generation';
import type { ModelSummary } from '@shared/domain/studio';
import { randomSeed, type ComposerSettings, type LplMode, type SeedMode } from './composerSettings';

interface SamplerFieldsProps {
  settings: ComposerSettings;
  /** The model the run would use (for "Use the model's defaults"). */
  selectedModel: ModelSummary | undefined;
  update: (change: Partial<ComposerSettings>) => void;
}

/** Number inputs keep what was typed; NaN (an empty box) is refused when generating, with the field named. */
export function numberValue(value: number): string | number {
  return Number.isFinite(value) ? value : '';
}

/** What changes from run to run: seed, steps, CFG and LPL (the model, clip size and TDTM fold away: ModelFields). */
export function SamplerFields({ settings, selectedModel, update }: SamplerFieldsProps): React.JSX.Element {
  return (
    <div className="field-grid">
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

      {selectedModel ? (
        <div className="field span-2">
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
