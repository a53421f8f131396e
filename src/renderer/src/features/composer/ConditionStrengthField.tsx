import { editRatioOf, isConditionStrength, type ComposerSettings } from './composerSettings';
import { numberValue } from './SamplerFields';

interface ConditionStrengthFieldProps {
  settings: ComposerSettings;
  update: (change: Partial<ComposerSettings>) => void;
}

/**
 * How strictly a run from a start image keeps it (the CLI's --condition-strength): S in (0, 1], 1 keeps the reference
 * frames fixed; lower lets them change, as Open-Sora's edit ratio r = 1 − S.
 */
export function ConditionStrengthField({ settings, update }: ConditionStrengthFieldProps): React.JSX.Element {
  const strength = settings.conditionStrength;
  const valid = isConditionStrength(strength);
  return (
    <div className="field-grid" data-testid="condition-strength-field">
      <div className="field span-2">
        <label htmlFor="condition-strength-input">Condition strength</label>
        <div className="inline">
          <input
            id="condition-strength-input"
            data-testid="condition-strength-input"
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            aria-invalid={!valid}
            aria-describedby="condition-strength-hint"
            value={numberValue(strength)}
            onChange={(event) => update({ conditionStrength: event.target.valueAsNumber })}
          />
          <span className={valid ? 'muted' : 'error'} data-testid="condition-strength-ratio">
            {valid ? `edit ratio r = ${editRatioOf(strength)}` : 'give a number in (0, 1]'}
          </span>
        </div>
        <p className="hint" id="condition-strength-hint">
          How strictly the reference frames are kept, in (0, 1]: 1 (default) fixed; lower lets them change (Open-Sora&apos;s edit ratio r = 1 − S:
          noised once when t falls to r·1000).
        </p>
      </div>
    </div>
  );
}
