import type { ReactNode } from 'react';
import { isBoolean, useStoredState } from '../../lib/useStoredState';

const OPEN_KEY = 'studio.layout.composerSettings.v1';

/**
 * The composer's rarely changed settings, folded by default: closed, the summary line still says what the next run
 * uses. Open or closed is remembered across reloads.
 */
export function SettingsFold({ summary, warning, children }: { summary: string; warning: boolean; children: ReactNode }): React.JSX.Element {
  const [open, setOpen] = useStoredState(OPEN_KEY, false, isBoolean);
  return (
    <details className="settings-fold" open={open} onToggle={(event) => setOpen(event.currentTarget.open)} data-testid="composer-settings">
      <summary data-testid="composer-settings-toggle">
        <span className="settings-fold-title">Model, memory &amp; presets</span>
        <span className={warning ? 'settings-summary error' : 'settings-summary'} data-testid="composer-settings-summary">
          {summary}
        </span>
      </summary>
      {children}
    </details>
  );
}
