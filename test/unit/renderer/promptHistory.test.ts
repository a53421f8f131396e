import { describe, expect, it } from 'vitest';
import { NO_RECALL, recallNewer, recallOlder, rememberPrompt, shouldRecallNewer, shouldRecallOlder } from '../../../src/renderer/src/features/composer/promptHistory';

describe('prompt history', () => {
  it('keeps the newest first, without duplicates or blanks, up to the limit', () => {
    let history: string[] = [];
    history = rememberPrompt(history, 'a red circle');
    history = rememberPrompt(history, '  a blue square ');
    history = rememberPrompt(history, 'a red circle');
    history = rememberPrompt(history, '   ');
    expect(history).toEqual(['a red circle', 'a blue square']);
    expect(rememberPrompt(['b', 'c'], 'a', 2)).toEqual(['a', 'b']);
  });

  it('↑ walks to older prompts and ↓ walks back to the draft', () => {
    const history = ['newest', 'older', 'oldest'];
    const first = recallOlder(history, NO_RECALL, 'my draft');
    expect(first?.text).toBe('newest');
    const second = recallOlder(history, first!.cursor, first!.text);
    expect(second?.text).toBe('older');
    const third = recallOlder(history, second!.cursor, second!.text);
    expect(third?.text).toBe('oldest');
    expect(recallOlder(history, third!.cursor, third!.text)).toBeNull();
    const back = recallNewer(history, third!.cursor);
    expect(back?.text).toBe('older');
    const backAgain = recallNewer(history, recallNewer(history, back!.cursor)!.cursor);
    expect(backAgain).toEqual({ text: 'my draft', cursor: NO_RECALL });
    expect(recallNewer(history, NO_RECALL)).toBeNull();
  });

  it('has nothing to recall from an empty history', () => {
    expect(recallOlder([], NO_RECALL, '')).toBeNull();
  });

  it('recalls only from an empty prompt or with the caret at the start, and walks back only at the end', () => {
    expect(shouldRecallOlder('', 0, 0)).toBe(true);
    expect(shouldRecallOlder('two\nlines', 0, 0)).toBe(true);
    expect(shouldRecallOlder('two\nlines', 5, 5)).toBe(false);
    expect(shouldRecallOlder('abc', 0, 3)).toBe(false);
    expect(shouldRecallNewer({ index: 0, draft: '' }, 'abc', 3, 3)).toBe(true);
    expect(shouldRecallNewer({ index: 0, draft: '' }, 'abc', 1, 1)).toBe(false);
    expect(shouldRecallNewer(NO_RECALL, 'abc', 3, 3)).toBe(false);
  });
});
