import { useSyncExternalStore } from 'react';
import { readStored, writeStored } from '../../lib/localStore';

const KEY = 'studio.currentProject.v1';
const DEFAULT_PROJECT_ID = 'default';
const listeners = new Set<() => void>();
let current: string = typeof readStored(KEY) === 'string' ? (readStored(KEY) as string) : DEFAULT_PROJECT_ID;

/** The project new runs and comparisons go into (kept across reloads); the default project until one is chosen. */
export function currentProjectId(): string {
  return current;
}

export function setCurrentProjectId(id: string): void {
  if (id === current) {
    return;
  }
  current = id;
  writeStored(KEY, id);
  for (const listener of listeners) {
    listener();
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCurrentProjectId(): string {
  return useSyncExternalStore(subscribe, currentProjectId);
}
