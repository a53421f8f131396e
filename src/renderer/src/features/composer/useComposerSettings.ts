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
  const [firstRun] = useState(() => readStored(STORAGE_KEY) === undefined);
  const [settings, setSettings] = useState<ComposerSettings>(() => restoreSettings(readStored(STORAGE_KEY), DEFAULT_COMPOSER_SETTINGS));
  useEffect(() => {
    writeStored(STORAGE_KEY, pickPersisted(settings, 'reload'));
  }, [settings]);
  const update = useCallback((change: Partial<ComposerSettings>) => setSettings((current) => ({ ...current, ...change })), []);
  return { settings, update, firstRun };
}
