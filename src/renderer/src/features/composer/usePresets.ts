import { useCallback, useState } from 'react';
import { readStored, writeStored } from '../../lib/localStore';
import { pickPersisted, type ComposerSettings } from './composerSettings';

const STORAGE_KEY = 'studio.presets.v1';

export interface Preset {
  name: string;
  /** The settings a preset carries (COMPOSER_PERSISTENCE[key].preset), never the prompt. */
  settings: Partial<ComposerSettings>;
}

function restorePresets(): Preset[] {
  const stored = readStored(STORAGE_KEY);
  if (!Array.isArray(stored)) {
    return [];
  }
  return stored.filter(
    (entry): entry is Preset => typeof entry === 'object' && entry !== null && typeof (entry as Preset).name === 'string' && typeof (entry as Preset).settings === 'object',
  );
}

export interface PresetsState {
  presets: readonly Preset[];
  save: (name: string, settings: ComposerSettings) => void;
  remove: (name: string) => void;
}

/** Named settings the user saved (localStorage); saving under an existing name replaces it. */
export function usePresets(): PresetsState {
  const [presets, setPresets] = useState<Preset[]>(restorePresets);
  const store = useCallback((change: (current: Preset[]) => Preset[]) => {
    setPresets((current) => {
      const next = change(current);
      writeStored(STORAGE_KEY, next);
      return next;
    });
  }, []);
  const save = useCallback(
    (name: string, settings: ComposerSettings) => {
      const trimmed = name.trim();
      if (trimmed.length === 0) {
        return;
      }
      store((current) => [...current.filter((preset) => preset.name !== trimmed), { name: trimmed, settings: pickPersisted(settings, 'preset') }].sort((a, b) => a.name.localeCompare(b.name)));
    },
    [store],
  );
  const remove = useCallback((name: string) => store((current) => current.filter((preset) => preset.name !== name)), [store]);
  return { presets, save, remove };
}
