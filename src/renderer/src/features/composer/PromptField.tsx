import { useRef, useState } from 'react';
import { NO_RECALL, recallNewer, recallOlder, shouldRecallNewer, shouldRecallOlder, type RecallCursor } from './promptHistory';

interface PromptFieldProps {
  value: string;
  history: readonly string[];
  onChange: (value: string) => void;
}

/** The multi-line prompt; ↑ in an empty prompt (or with the caret at its start) recalls earlier prompts, ↓ walks back. */
export function PromptField({ value, history, onChange }: PromptFieldProps): React.JSX.Element {
  const cursor = useRef<RecallCursor>(NO_RECALL);
  const [recallLabel, setRecallLabel] = useState('');

  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    const box = event.currentTarget;
    let recalled: ReturnType<typeof recallOlder> = null;
    if (event.key === 'ArrowUp' && shouldRecallOlder(box.value, box.selectionStart, box.selectionEnd)) {
      recalled = recallOlder(history, cursor.current, box.value);
    } else if (event.key === 'ArrowDown' && shouldRecallNewer(cursor.current, box.value, box.selectionStart, box.selectionEnd)) {
      recalled = recallNewer(history, cursor.current);
    }
    if (!recalled) {
      return;
    }
    event.preventDefault();
    cursor.current = recalled.cursor;
    setRecallLabel(recalled.cursor.index === null ? '' : `Earlier prompt ${recalled.cursor.index + 1} of ${history.length}`);
    onChange(recalled.text);
    // Keep the caret where the next ↑ (start) or ↓ (end) continues the walk.
    const caret = event.key === 'ArrowUp' ? 0 : recalled.text.length;
    requestAnimationFrame(() => box.setSelectionRange(caret, caret));
  };

  return (
    <div className="field prompt-field">
      <label htmlFor="prompt-input">Prompt</label>
      <textarea
        id="prompt-input"
        data-testid="prompt-input"
        rows={3}
        value={value}
        placeholder="a yellow square moving up on a black background"
        aria-describedby="prompt-hint"
        onKeyDown={onKeyDown}
        onChange={(event) => {
          cursor.current = NO_RECALL;
          setRecallLabel('');
          onChange(event.target.value);
        }}
      />
      <p id="prompt-hint" className="hint">
        {recallLabel || '↑ recalls earlier prompts · Ctrl/⌘+Enter generates · Esc cancels'}
      </p>
    </div>
  );
}
