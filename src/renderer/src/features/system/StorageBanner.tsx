import { usePushedState } from '../../lib/usePushedState';

/** Shown only while the history cannot be written: what failed, and how many changes wait (or, when it could not open, the fix). */
export function StorageBanner(): React.JSX.Element | null {
  // The run history's health: pushed by the backend, first read with store.health.
  const health = usePushedState('store.health', { kind: 'ok' });
  if (health.kind === 'ok') {
    return null;
  }
  if (health.kind === 'unavailable') {
    return (
      <span className="engine-banner error" role="alert" data-testid="storage-state" data-pending={0}>
        History is off: {health.reason} {health.fix}
      </span>
    );
  }
  return (
    <span className="engine-banner error" role="alert" data-testid="storage-state" data-pending={health.pendingWrites} title={health.error.detail}>
      {health.error.message} ({health.pendingWrites} {health.pendingWrites === 1 ? 'change waits' : 'changes wait'}.)
    </span>
  );
}
