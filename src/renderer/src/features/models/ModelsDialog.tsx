import { useEffect, useRef, useState } from 'react';
import type { ModelSummary } from '@shared/domain/studio';
import { TabList, TabPanel, type TabSpec } from '../../components/TabList';
import { describeError, studio } from '../../ipc/studio';
import { FolderField } from './FolderField';
import { ImportCheckpointsForm } from './ImportCheckpointsForm';
import { ModelList } from './ModelList';

type AddTab = 'package' | 'import';
const ADD_TABS: ReadonlyArray<TabSpec<AddTab>> = [
  { id: 'package', label: 'Package folder' },
  { id: 'import', label: 'Import Open-Sora 1.2 checkpoints' },
];

interface ModelsDialogProps {
  open: boolean;
  models: readonly ModelSummary[];
  onClose: () => void;
  /** A model was added: the composer picks it. */
  onAdded: (modelId: string) => void;
}

/**
 * "Add model…": the studio's models with size and forecast (added ones removable), and two ways to add one: a
 * package folder (checked, then copied into the data folder) or the Open-Sora 1.2 checkpoints (imported there).
 * Folders are paths on the machine that runs the studio (typed, or chosen with Browse… in the desktop app).
 */
export function ModelsDialog({ open, models, onClose, onAdded }: ModelsDialogProps): React.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const [tab, setTab] = useState<AddTab>('package');
  useEffect(() => {
    const element = dialog.current;
    if (open && element && !element.open) {
      element.showModal();
    } else if (!open && element?.open) {
      element.close();
    }
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="models-dialog"
      aria-labelledby="models-dialog-heading"
      data-testid="models-dialog"
      onClose={onClose}
      onKeyDown={(event) => {
        // Esc closes the dialog and nothing else (the studio's Esc shortcut cancels the running job).
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <h2 id="models-dialog-heading">Models</h2>
      <ModelList models={models} />
      <h3>Add a model</h3>
      <TabList label="Ways to add a model" idPrefix="add-model" tabs={ADD_TABS} selected={tab} onSelect={setTab} />
      {/* Both stay mounted: an import keeps its progress while the other tab is shown. */}
      <TabPanel idPrefix="add-model" id="package" selected={tab === 'package'}>
        <AddPackageForm onAdded={onAdded} />
      </TabPanel>
      <TabPanel idPrefix="add-model" id="import" selected={tab === 'import'}>
        <ImportCheckpointsForm onAdded={onAdded} />
      </TabPanel>
      <div className="actions">
        <button type="button" data-testid="models-dialog-close" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/** A model package folder (one with manifest.json), checked in full before it is copied. */
function AddPackageForm({ onAdded }: { onAdded: (modelId: string) => void }): React.JSX.Element {
  const [folder, setFolder] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'adding' } | { kind: 'added' | 'failed'; message: string }>({ kind: 'idle' });
  const add = (): void => {
    setState({ kind: 'adding' });
    studio.invoke('models.add', { path: folder.trim() }).then(
      (model) => {
        setState({ kind: 'added', message: `Added ${model.name} (${model.id}).` });
        setFolder('');
        onAdded(model.id);
      },
      (reason: unknown) => setState({ kind: 'failed', message: describeError(reason).message }),
    );
  };
  return (
    <form
      className="field-grid"
      onSubmit={(event) => {
        event.preventDefault();
        add();
      }}
    >
      <FolderField id="add-package-path" label="Package folder (holds manifest.json)" value={folder} onChange={setFolder} />
      <div className="span-2 inline">
        <button type="submit" className="primary" data-testid="add-package-submit" disabled={state.kind === 'adding'}>
          {state.kind === 'adding' ? 'Checking and copying…' : 'Add'}
        </button>
      </div>
      {state.kind === 'added' ? <p className="hint span-2" data-testid="add-package-done">{state.message}</p> : null}
      {state.kind === 'failed' ? (
        <p className="error span-2" role="alert" data-testid="add-package-error">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
