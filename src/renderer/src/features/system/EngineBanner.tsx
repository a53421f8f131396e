import type { EngineState } from '@shared/ipc/contract';

export function EngineBanner({ state }: { state: EngineState }): React.JSX.Element {
  switch (state.kind) {
    case 'ready':
      return (
        <span className="engine-banner ok" role="status" data-testid="engine-state" data-state="ready">
          Engine ready (pid {state.processId})
        </span>
      );
    case 'starting':
      return (
        <span className="engine-banner busy" role="status" data-testid="engine-state" data-state="starting">
          Engine starting…
        </span>
      );
    case 'crashed':
      return (
        <span className="engine-banner error" role="alert" data-testid="engine-state" data-state="crashed">
          Engine process stopped ({state.reason ?? state.signal ?? `exit ${state.exitCode}`}); restarting…
        </span>
      );
  }
}
