import { useEffect, useState } from 'react';
import type { EngineState } from '@shared/ipc/contract';
import { studio } from '../../ipc/studio';

/** The engine process's state: pushed by the backend, first read with engine.state. */
export function useEngineState(): EngineState {
  const [state, setState] = useState<EngineState>({ kind: 'starting' });
  useEffect(() => {
    let live = true;
    const unsubscribe = studio.on('engine.state', (next) => setState(next));
    studio.invoke('engine.state', {}).then(
      (current) => live && setState(current),
      () => undefined,
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);
  return state;
}
