import { useCallback, useState } from 'react';
import { readStored, writeStored } from '../../lib/localStore';
import { rememberPrompt } from './promptHistory';

const STORAGE_KEY = 'studio.promptHistory.v1';

function restoreHistory(): string[] {
  const stored = readStored(STORAGE_KEY);
  return Array.isArray(stored) ? stored.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Earlier prompts, newest first, kept across reloads. */
export function usePromptHistory(): { history: readonly string[]; remember: (prompt: string) => void } {
  const [history, setHistory] = useState<string[]>(restoreHistory);
  const remember = useCallback((prompt: string) => {
    setHistory((current) => {
      const next = rememberPrompt(current, prompt);
      writeStored(STORAGE_KEY, next);
      return next;
    });
  }, []);
  return { history, remember };
}
