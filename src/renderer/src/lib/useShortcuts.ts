import { useEffect, useRef } from 'react';

export interface ShortcutHandlers {
  /** Ctrl+Enter / ⌘+Enter anywhere in the window. */
  onGenerate: () => void;
  /** Esc, unless something focused used it first (an open select, a dialog). */
  onCancel: () => void;
}

/** The workspace's global shortcuts. Handlers are read at key time, so they always see the latest settings. */
export function useShortcuts(handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey) {
        event.preventDefault();
        latest.current.onGenerate();
      } else if (event.key === 'Escape' && !event.defaultPrevented && !(event.target instanceof HTMLSelectElement)) {
        latest.current.onCancel();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
