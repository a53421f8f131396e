import { useEffect, useState } from 'react';
import type { ModelSummary } from '@shared/domain/studio';
import { describeError, studio } from '../../ipc/studio';

export type ModelsState = { kind: 'loading' } | { kind: 'ready'; models: ModelSummary[] } | { kind: 'error'; message: string };

/** The models the backend can run (models.list), refetched whenever the engine (re)starts or a model is added or removed. */
export function useModels(engineReadyPid: number | undefined): ModelsState {
  const [state, setState] = useState<ModelsState>({ kind: 'loading' });
  const [changes, setChanges] = useState(0);
  useEffect(() => studio.on('models.changed', () => setChanges((count) => count + 1)), []);
  useEffect(() => {
    if (engineReadyPid === undefined) {
      return;
    }
    let live = true;
    studio.invoke('models.list', {}).then(
      (models) => live && setState({ kind: 'ready', models }),
      (reason: unknown) => live && setState({ kind: 'error', message: describeError(reason).message }),
    );
    return () => {
      live = false;
    };
  }, [engineReadyPid, changes]);
  return state;
}

/** The model the composer targets: the chosen one, else the first listed (the built-in model). */
export function selectedModelOf(settings: { modelId: string | null }, models: ModelsState): ModelSummary | undefined {
  if (models.kind !== 'ready') {
    return undefined;
  }
  return models.models.find((model) => model.id === settings.modelId) ?? models.models[0];
}
