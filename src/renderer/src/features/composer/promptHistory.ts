/** Earlier prompts, newest first, and the ↑/↓ recall over them (a shell's history, for the prompt box). */

export const PROMPT_HISTORY_LIMIT = 50;

/** Where the user is in the history: null = editing their own draft. */
export interface RecallCursor {
  index: number | null;
  /** What was typed before the first ↑, given back when ↓ walks past the newest entry. */
  draft: string;
}

export const NO_RECALL: RecallCursor = { index: null, draft: '' };

/** The history with `prompt` as its newest entry (moved up if it was there already). */
export function rememberPrompt(history: readonly string[], prompt: string, limit = PROMPT_HISTORY_LIMIT): string[] {
  const trimmed = prompt.trim();
  if (trimmed.length === 0) {
    return [...history];
  }
  return [trimmed, ...history.filter((entry) => entry !== trimmed)].slice(0, limit);
}

/** ↑: the next older prompt, or null when there is none. */
export function recallOlder(history: readonly string[], cursor: RecallCursor, currentText: string): { text: string; cursor: RecallCursor } | null {
  const nextIndex = cursor.index === null ? 0 : cursor.index + 1;
  if (nextIndex >= history.length) {
    return null;
  }
  const draft = cursor.index === null ? currentText : cursor.draft;
  return { text: history[nextIndex], cursor: { index: nextIndex, draft } };
}

/** ↓: the next newer prompt, then the draft; null when not recalling. */
export function recallNewer(history: readonly string[], cursor: RecallCursor): { text: string; cursor: RecallCursor } | null {
  if (cursor.index === null) {
    return null;
  }
  if (cursor.index === 0) {
    return { text: cursor.draft, cursor: NO_RECALL };
  }
  const nextIndex = Math.min(cursor.index - 1, history.length - 1);
  return { text: history[nextIndex], cursor: { index: nextIndex, draft: cursor.draft } };
}

/** ↑ recalls only from an empty prompt or with the caret at its very start, so multi-line editing keeps its arrows. */
export function shouldRecallOlder(text: string, selectionStart: number, selectionEnd: number): boolean {
  return text.length === 0 || (selectionStart === 0 && selectionEnd === 0);
}

/** ↓ walks back only while recalling, with the caret at the very end. */
export function shouldRecallNewer(cursor: RecallCursor, text: string, selectionStart: number, selectionEnd: number): boolean {
  return cursor.index !== null && selectionStart === text.length && selectionEnd === text.length;
}
