import { useEffect, useRef, useState } from 'react';
import { describeError, studio } from '../../ipc/studio';
import { FolderField } from './FolderField';

type ImportState =
  | { kind: 'idle' }
  /** Asked to start; only one import runs at a time, so the first event names it. */
  | { kind: 'starting' }
  | { kind: 'running'; importId: string; done: number; total: number; unitId: string | null }
  | { kind: 'finished'; message: string }
  | { kind: 'failed'; message: string };

const FOLDERS = [
  { key: 'stdit', label: 'STDiT3 folder (hpcai-tech/OpenSora-STDiT-v3)' },
  { key: 'vae', label: 'VAE folder (hpcai-tech/OpenSora-VAE-v1.2)' },
  { key: 't5', label: 'T5 folder (DeepFloyd/t5-v1_1-xxl)' },
] as const;

/** Runs the Open-Sora 1.2 importer on three checkpoint folders, into the data folder, with progress per unit and Cancel. */
export function ImportCheckpointsForm({ onAdded }: { onAdded: (modelId: string) => void }): React.JSX.Element {
  const [folders, setFolders] = useState({ stdit: '', vae: '', t5: '' });
  const [name, setName] = useState('');
  const [state, setState] = useState<ImportState>({ kind: 'idle' });
  const active = state.kind === 'starting' || state.kind === 'running';

  // Which import this form follows: 'starting' until the backend names it (one import runs at a time).
  const following = useRef<string | null>(null);
  useEffect(
    () =>
      studio.on('models.import', (event) => {
        if (following.current !== 'starting' && following.current !== event.importId) {
          return;
        }
        following.current = event.importId;
        if (event.kind === 'progress') {
          setState({ kind: 'running', importId: event.importId, done: event.done, total: event.total, unitId: event.unitId });
          return;
        }
        following.current = null;
        if (event.kind === 'done') {
          setState({ kind: 'finished', message: `Imported ${event.model.name} (${event.model.id}).` });
          onAdded(event.model.id);
        } else {
          setState({ kind: 'failed', message: event.error.code === 'CANCELLED' ? 'The import was cancelled; nothing was kept.' : event.error.message });
        }
      }),
    [onAdded],
  );

  const start = (): void => {
    following.current = 'starting';
    setState({ kind: 'starting' });
    studio.invoke('models.import', { ...folders, ...(name.trim() ? { name: name.trim() } : {}) }).then(
      ({ importId }) => {
        if (following.current === 'starting') {
          following.current = importId;
          setState({ kind: 'running', importId, done: 0, total: 0, unitId: null });
        }
      },
      (reason: unknown) => {
        following.current = null;
        setState({ kind: 'failed', message: describeError(reason).message });
      },
    );
  };

  return (
    <form
      className="field-grid"
      onSubmit={(event) => {
        event.preventDefault();
        start();
      }}
    >
      {FOLDERS.map((folder) => (
        <FolderField
          key={folder.key}
          id={`import-${folder.key}`}
          label={folder.label}
          disabled={active}
          value={folders[folder.key]}
          onChange={(value) => setFolders((current) => ({ ...current, [folder.key]: value }))}
        />
      ))}
      <div className="field span-2">
        <label htmlFor="import-name">Name (optional)</label>
        <input id="import-name" data-testid="import-name" disabled={active} placeholder="Open-Sora 1.2" value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <div className="span-2 inline wrap">
        <button type="submit" className="primary" data-testid="import-start" disabled={active}>
          Import
        </button>
        <button
          type="button"
          data-testid="import-cancel"
          disabled={state.kind !== 'running'}
          onClick={() => state.kind === 'running' && void studio.invoke('models.cancelImport', { importId: state.importId })}
        >
          Cancel
        </button>
        {active ? (
          <span className="inline" data-testid="import-progress">
            <progress max={state.kind === 'running' && state.total > 0 ? state.total : undefined} value={state.kind === 'running' ? state.done : undefined} />
            {state.kind === 'running' && state.total > 0 ? `${state.done} / ${state.total} units${state.unitId ? ` (${state.unitId})` : ''}` : 'Reading the checkpoints…'}
          </span>
        ) : null}
      </div>
      {state.kind === 'finished' ? <p className="hint span-2">{state.message}</p> : null}
      {state.kind === 'failed' ? (
        <p className="error span-2" role="alert" data-testid="import-error">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
