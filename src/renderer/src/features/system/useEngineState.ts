import type { EngineState } from '@shared/ipc/contract';
import { usePushedState } from '../../lib/usePushedState';

/** The engine process's state: pushed by the backend, first read with engine.state. */
export function useEngineState(): EngineState {
  return usePushedState('engine.state', { kind: 'starting' });
}
