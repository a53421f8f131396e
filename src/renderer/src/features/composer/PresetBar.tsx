import { useState } from 'react';
import type { ComposerSettings } from './composerSettings';
import type { PresetsState } from './usePresets';

interface PresetBarProps {
  presets: PresetsState;
  settings: ComposerSettings;
  apply: (change: Partial<ComposerSettings>) => void;
}

/** Save the current settings (not the prompt) under a name; load or delete saved ones. */
export function PresetBar({ presets, settings, apply }: PresetBarProps): React.JSX.Element {
  const [selected, setSelected] = useState('');
  const [name, setName] = useState('');
  const current = presets.presets.find((preset) => preset.name === selected);
  return (
    <fieldset className="presets">
      <legend>Presets</legend>
      <div className="inline">
        <label htmlFor="preset-select" className="visually-hidden">
          Saved preset
        </label>
        <select id="preset-select" data-testid="preset-select" value={selected} onChange={(event) => setSelected(event.target.value)}>
          <option value="">{presets.presets.length === 0 ? 'No saved presets' : 'Choose a preset…'}</option>
          {presets.presets.map((preset) => (
            <option key={preset.name} value={preset.name}>
              {preset.name}
            </option>
          ))}
        </select>
        <button type="button" disabled={!current} onClick={() => current && apply(current.settings)}>
          Load
        </button>
        <button type="button" disabled={!current} aria-label={current ? `Delete preset ${current.name}` : 'Delete preset'} onClick={() => current && (presets.remove(current.name), setSelected(''))}>
          Delete
        </button>
      </div>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          presets.save(name, settings);
          setSelected(name.trim());
          setName('');
        }}
      >
        <label htmlFor="preset-name" className="visually-hidden">
          New preset name
        </label>
        <input id="preset-name" data-testid="preset-name" type="text" placeholder="Preset name" value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit" disabled={name.trim().length === 0}>
          Save preset
        </button>
      </form>
    </fieldset>
  );
}
