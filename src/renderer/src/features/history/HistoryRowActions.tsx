import { useEffect, useRef, useState } from 'react';
import type { HistoryEntry } from '@shared/domain/history';
import { useDeleteConfirmation } from './deleteConfirmation';

interface HistoryRowActionsProps {
  entry: HistoryEntry;
  onUseAgain: (entry: HistoryEntry) => void;
  /** Starts a run continuing the entry's clip (offered for finished runs of preset models, which may take reference frames). */
  onExtend: (entry: HistoryEntry) => void;
  /** Resolves to an error message, or null when the entry was deleted. */
  onDelete: (entry: HistoryEntry) => Promise<string | null>;
}

/** "Use again" and "Delete", which asks for confirmation in place (Esc or "Keep" backs out). */
export function HistoryRowActions({ entry, onUseAgain, onExtend, onDelete }: HistoryRowActionsProps): React.JSX.Element {
  const [confirming, setConfirming] = useDeleteConfirmation(entry.id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  /** Set when the user backs out (Esc or Keep): only then does focus go back onto "Delete". */
  const keptByUser = useRef(false);
  const keep = (): void => {
    keptByUser.current = true;
    setConfirming(false);
  };

  // Focus follows the question: onto "Delete it" when asked (also when a refetch re-created the row mid-question),
  // back onto "Delete" when kept.
  useEffect(() => {
    if (confirming) {
      confirmRef.current?.focus();
    } else if (keptByUser.current) {
      keptByUser.current = false;
      deleteRef.current?.focus();
    }
  }, [confirming]);

  const name = `“${entry.prompt}”`;
  if (confirming) {
    return (
      <span
        className="inline history-confirm"
        role="group"
        aria-label={`Delete ${name} from the history?`}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            // Esc answers the question here; it must not also cancel the running job (the global shortcut).
            event.preventDefault();
            event.stopPropagation();
            keep();
          }
        }}
      >
        <span>Delete?</span>
        <button
          ref={confirmRef}
          type="button"
          className="danger"
          data-testid="history-confirm-delete"
          disabled={busy}
          aria-label={`Yes, delete ${name}`}
          onClick={async () => {
            setBusy(true);
            const problem = await onDelete(entry);
            setBusy(false);
            setError(problem);
            if (problem) {
              keep(); // back to the row, where the error shows
            }
          }}
        >
          Delete it
        </button>
        <button type="button" data-testid="history-keep" aria-label={`Keep ${name}`} onClick={keep}>
          Keep
        </button>
      </span>
    );
  }
  return (
    <span className="inline">
      <button type="button" data-testid="history-use-again" aria-label={`Use again: put ${name} and its settings in the composer`} onClick={() => onUseAgain(entry)}>
        Use again
      </button>
      {entry.status === 'done' && entry.hasMedia && entry.request.clip ? (
        <button type="button" data-testid="history-extend" aria-label={`Extend: a new run continuing ${name} from its last frames`} onClick={() => onExtend(entry)}>
          Extend
        </button>
      ) : null}
      <button ref={deleteRef} type="button" data-testid="history-delete" aria-label={`Delete ${name} from the history`} onClick={() => setConfirming(true)}>
        Delete
      </button>
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
