import { useEffect, useState } from 'react';
import type { ModelSummary } from '../../../../shared/domain/studio';
import { describeError, studio } from '../../ipc/studio';

export type ModelsState = { kind: 'loading' } | { kind: 'ready'; models: ModelSummary[] } | { kind: 'error'; message: string };

/** The models the backend can run (models.list), refetched whenever the engine (re)starts. */
export function useModels(engineReadyPid: number | undefined): ModelsState {
  const [state, setState] = useState<ModelsState>({ kind: 'loading' });
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
  }, [engineReadyPid]);
  return state;
}
