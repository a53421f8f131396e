import { useEffect, useState } from 'react';
import { canPickFolders, describeError, studio } from '../../ipc/studio';

/**
 * The outputs folder: finished clips are also saved there, one folder per clip named by time and prompt (the data
 * folder keeps the history's own copy). Typed, or chosen with Browse… in the desktop app; empty = data folder only.
 */
export function OutputsFolderSetting(): React.JSX.Element {
  const [saved, setSaved] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  useEffect(() => {
    studio.invoke('settings.outputs', {}).then(
      ({ copyDir }) => {
        setSaved(copyDir);
        setDraft(copyDir ?? '');
      },
      (reason: unknown) => setMessage({ error: true, text: describeError(reason).message }),
    );
  }, []);

  const save = (copyDir: string | null): void => {
    studio.invoke('settings.setOutputs', { copyDir }).then(
      (next) => {
        setSaved(next.copyDir);
        setDraft(next.copyDir ?? '');
        setMessage({ error: false, text: next.copyDir ? `Finished clips are also saved in ${next.copyDir}.` : 'Finished clips stay in the data folder only.' });
      },
      (reason: unknown) => setMessage({ error: true, text: describeError(reason).message }),
    );
  };

  return (
    <form
      className="field"
      data-testid="outputs-folder"
      onSubmit={(event) => {
        event.preventDefault();
        save(draft.trim() === '' ? null : draft.trim());
      }}
    >
      <label htmlFor="outputs-folder-path">Outputs folder</label>
      <div className="inline">
        <input id="outputs-folder-path" data-testid="outputs-folder-path" placeholder="data folder only" value={draft} onChange={(event) => setDraft(event.target.value)} />
        {canPickFolders ? (
          <button type="button" onClick={() => void studio.invoke('models.pickFolder', {}).then(({ path }) => path !== null && save(path), () => undefined)}>
            Browse…
          </button>
        ) : null}
        <button type="submit" disabled={draft.trim() === (saved ?? '')}>
          Save
        </button>
      </div>
      <p role="status" className={message?.error ? 'error' : 'hint'} data-testid="outputs-folder-status">
        {message?.text ?? (saved ? `Finished clips are also saved in ${saved}.` : 'Finished clips stay in the data folder only.')}
      </p>
    </form>
  );
}
