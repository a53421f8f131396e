import { useEffect, useState } from 'react';
import type { EventChannel, InvokeMethod, InvokeParams, InvokeResult, StudioEvents } from '@shared/ipc/contract';
import { studio } from '../ipc/studio';

/**
 * A channel the backend both pushes as an event and answers as a method without parameters, with the same value
 * either way (engine.state, store.health); a channel whose two types differ is left out here, at compile time.
 */
type PushedChannel = {
  [K in EventChannel & InvokeMethod]: [StudioEvents[K]] extends [InvokeResult<K>] ? ([InvokeResult<K>] extends [StudioEvents[K]] ? K : never) : never;
}[EventChannel & InvokeMethod];

/**
 * State the backend pushes on `channel`, first read with the method of the same name (so a page that opens late
 * still starts from the current value); `initial` until either arrives.
 */
export function usePushedState<C extends PushedChannel>(channel: C, initial: StudioEvents[C]): StudioEvents[C] {
  const [state, setState] = useState<StudioEvents[C]>(initial);
  useEffect(() => {
    let live = true;
    const unsubscribe = studio.on(channel, (next) => setState(next));
    studio.invoke(channel, {} as InvokeParams<C>).then(
      (current) => live && setState(current as unknown as StudioEvents[C]), // the same type: see PushedChannel
      () => undefined,
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [channel]);
  return state;
}
