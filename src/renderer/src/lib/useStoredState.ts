import { useCallback, useState } from 'react';
import { readStored, writeStored } from './localStore';

/**
 * State kept in localStorage under `key`: a layout choice (which view, which panel is open) that should survive a
 * reload. A stored value `isValid` refuses (old, hand-edited) reads as `initial`.
 */
export function useStoredState<T>(key: string, initial: T, isValid: (value: unknown) => value is T): [T, (next: T) => void] {
  const [value, setValue] = useState<T>(() => {
    const stored = readStored(key);
    return isValid(stored) ? stored : initial;
  });
  const set = useCallback(
    (next: T) => {
      setValue(next);
      writeStored(key, next);
    },
    [key],
  );
  return [value, set];
}

/** A validator for a value that must be one of a fixed list (view ids). */
export function oneOf<T extends string>(values: readonly T[]): (value: unknown) => value is T {
  return (value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
