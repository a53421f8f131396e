import { useCallback, useEffect, useState } from 'react';
import { readStored, writeStored } from '../../lib/localStore';
import { DEFAULT_COMPOSER_SETTINGS, pickPersisted, restoreSettings, type ComposerSettings } from './composerSettings';

const STORAGE_KEY = 'studio.composer.v1';

export interface ComposerState {
  settings: ComposerSettings;
  update: (change: Partial<ComposerSettings>) => void;
  /** Nothing was stored when the studio opened: a first run, which starts from the model's own sampler defaults. */
  firstRun: boolean;
}

/** The composer's settings, kept across reloads (the keys COMPOSER_PERSISTENCE marks). */
export function useComposerSettings(): ComposerState {
  const [initial] = useState(() => {
    const stored = readStored(STORAGE_KEY);
    return { firstRun: stored === undefined, settings: restoreSettings(stored, DEFAULT_COMPOSER_SETTINGS) };
  });
  const [settings, setSettings] = useState<ComposerSettings>(initial.settings);
  useEffect(() => {
    writeStored(STORAGE_KEY, pickPersisted(settings, 'reload'));
  }, [settings]);
  const update = useCallback((change: Partial<ComposerSettings>) => setSettings((current) => ({ ...current, ...change })), []);
  return { settings, update, firstRun: initial.firstRun };
}
