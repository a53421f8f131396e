import { useEffect, useState } from 'react';
import type { StoreHealth } from '@shared/domain/history';
import { studio } from '../../ipc/studio';

/** The run history's health: pushed by the backend, first read with store.health. */
function useStoreHealth(): StoreHealth {
  const [health, setHealth] = useState<StoreHealth>({ kind: 'ok' });
  useEffect(() => {
    let live = true;
    const unsubscribe = studio.on('store.health', (next) => setHealth(next));
    studio.invoke('store.health', {}).then(
      (current) => live && setHealth(current),
      () => undefined,
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);
  return health;
}

/** Shown only while the history cannot be written: what failed, and how many changes wait to be written. */
export function StorageBanner(): React.JSX.Element | null {
  const health = useStoreHealth();
  if (health.kind === 'ok') {
    return null;
  }
  return (
    <span className="engine-banner error" role="alert" data-testid="storage-state" data-pending={health.pendingWrites} title={health.error.detail}>
      {health.error.message} ({health.pendingWrites} {health.pendingWrites === 1 ? 'change waits' : 'changes wait'}.)
    </span>
  );
}
