import { useEffect, useRef } from 'react';
import type { ComposerState } from './useComposerSettings';
import { selectedModelOf, type ModelsState } from './useModels';

/**
 * On a first run the composer takes the selected model's sampler defaults (steps, CFG) once the model list
 * arrives: for the built-in model those are what its sampler sweep chose (models/README.md), not a number the
 * renderer made up. Later runs keep what the user had.
 */
export function useFirstRunModelDefaults(composer: ComposerState, models: ModelsState): void {
  const applied = useRef(false);
  const model = selectedModelOf(composer.settings, models);
  const { firstRun, update } = composer;
  useEffect(() => {
    if (!firstRun || applied.current || model === undefined) {
      return;
    }
    applied.current = true;
    update({ steps: model.defaults.steps, cfgScale: model.defaults.cfgScale });
  }, [firstRun, update, model]);
}
