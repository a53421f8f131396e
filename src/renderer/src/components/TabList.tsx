import { useRef, type ReactNode } from 'react';

export interface TabSpec<T extends string> {
  id: T;
  label: ReactNode;
  /** The tab's accessible name when its label holds more than the name (a progress badge). */
  name?: string;
}

interface TabListProps<T extends string> {
  /** The tablist's accessible name. */
  label: string;
  /** Prefix of the tab and panel element ids: `${idPrefix}-tab-${id}`, `${idPrefix}-panel-${id}`. */
  idPrefix: string;
  tabs: ReadonlyArray<TabSpec<T>>;
  selected: T;
  onSelect: (id: T) => void;
  className?: string;
}

export const tabId = (idPrefix: string, id: string): string => `${idPrefix}-tab-${id}`;
export const panelId = (idPrefix: string, id: string): string => `${idPrefix}-panel-${id}`;

/**
 * A WAI-ARIA tablist with automatic activation: one tab stop (the selected tab), ←/→ move and select, Home/End
 * jump to the ends. The panels are the caller's (`TabPanel`), so each can stay mounted while hidden.
 */
export function TabList<T extends string>({ label, idPrefix, tabs, selected, onSelect, className }: TabListProps<T>): React.JSX.Element {
  const list = useRef<HTMLDivElement>(null);
  const select = (index: number): void => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    onSelect(tab.id);
    list.current?.querySelector<HTMLElement>(`#${CSS.escape(tabId(idPrefix, tab.id))}`)?.focus();
  };
  const onKeyDown = (event: React.KeyboardEvent): void => {
    const current = tabs.findIndex((tab) => tab.id === selected);
    const target = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (target !== undefined && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      select(target);
    }
  };
  return (
    <div ref={list} role="tablist" aria-label={label} className={className ? `tablist ${className}` : 'tablist'} onKeyDown={onKeyDown}>
      {tabs.map((tab) => {
        const isSelected = tab.id === selected;
        return (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={tabId(idPrefix, tab.id)}
            aria-selected={isSelected}
            aria-controls={panelId(idPrefix, tab.id)}
            aria-label={tab.name}
            tabIndex={isSelected ? 0 : -1}
            data-testid={`${idPrefix}-tab-${tab.id}`}
            onClick={() => onSelect(tab.id)}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}

interface TabPanelProps {
  idPrefix: string;
  id: string;
  selected: boolean;
  className?: string;
  children: ReactNode;
}

/** A tab's panel: hidden, not unmounted, while another tab is selected (a running job's view keeps its state). */
export function TabPanel({ idPrefix, id, selected, className, children }: TabPanelProps): React.JSX.Element {
  return (
    <div role="tabpanel" id={panelId(idPrefix, id)} aria-labelledby={tabId(idPrefix, id)} hidden={!selected} className={className} data-testid={`${idPrefix}-panel-${id}`}>
      {children}
    </div>
  );
}
