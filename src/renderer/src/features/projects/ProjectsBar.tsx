import { useRef, useState } from 'react';
import { describeError, studio } from '../../ipc/studio';
import { downloadProjectArchive, uploadProjectArchive } from './archiveTransfer';
import { setCurrentProjectId, useCurrentProjectId } from './currentProject';
import { useProjects } from './useProjects';

/** "1 run", "5 runs". */
function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

type Editing = { kind: 'none' } | { kind: 'create' | 'rename'; name: string } | { kind: 'confirm-delete' };

/**
 * The current project (where new runs and comparisons go, and what the history shows first), with create, rename,
 * delete after confirmation, "Export project…" (downloads one .zip) and "Import project…" (brings one back).
 */
export function ProjectsBar(): React.JSX.Element {
  const { state } = useProjects();
  const currentId = useCurrentProjectId();
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const current = state.projects.find((project) => project.id === currentId);

  const run = async (work: () => Promise<string>): Promise<void> => {
    setBusy(true);
    try {
      setMessage({ text: await work(), error: false });
    } catch (error) {
      setMessage({ text: describeError(error).message, error: true });
    } finally {
      setBusy(false);
    }
  };

  const submitName = (): void => {
    if (editing.kind !== 'create' && editing.kind !== 'rename') {
      return;
    }
    const name = editing.name;
    void run(async () => {
      if (editing.kind === 'create') {
        const project = await studio.invoke('projects.create', { name });
        setCurrentProjectId(project.id);
        setEditing({ kind: 'none' });
        return `Created “${project.name}”; new runs go into it.`;
      }
      const project = await studio.invoke('projects.rename', { id: currentId, name });
      setEditing({ kind: 'none' });
      return `Renamed to “${project.name}”.`;
    });
  };

  return (
    <section className="panel projects" aria-labelledby="projects-heading" data-testid="projects-panel" data-current={currentId}>
      <div className="panel-header">
        <h2 id="projects-heading">Project</h2>
        <label className="inline">
          <span className="visually-hidden">Current project</span>
          <select data-testid="project-select" value={currentId} disabled={busy} onChange={(event) => setCurrentProjectId(event.target.value)}>
            {state.projects.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name} ({countOf(project.runCount, 'run')})
              </option>
            ))}
          </select>
        </label>
        <div className="inline project-actions">
          <button type="button" data-testid="project-new" disabled={busy} onClick={() => setEditing({ kind: 'create', name: '' })}>
            New project…
          </button>
          <button type="button" data-testid="project-rename" disabled={busy || !current || current.isDefault} onClick={() => setEditing({ kind: 'rename', name: current?.name ?? '' })}>
            Rename…
          </button>
          <button type="button" data-testid="project-delete" disabled={busy || !current || current.isDefault} onClick={() => setEditing({ kind: 'confirm-delete' })}>
            Delete…
          </button>
          <button
            type="button"
            data-testid="project-export"
            disabled={busy || !current}
            onClick={() => void run(async () => {
              const { fileName, sizeBytes } = await downloadProjectArchive(currentId, (fraction) => setMessage({ text: `Exporting… ${Math.round(fraction * 100)} %`, error: false }));
              return `Exported “${current?.name}” as ${fileName} (${sizeBytes} bytes).`;
            })}
          >
            Export project…
          </button>
          <button type="button" data-testid="project-import" disabled={busy} onClick={() => fileInput.current?.click()}>
            Import project…
          </button>
          <input
            ref={fileInput}
            type="file"
            accept=".zip,application/zip"
            hidden
            aria-label="Project archive to import (.zip)"
            data-testid="project-import-file"
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (file) {
                void run(async () => {
                  const outcome = await uploadProjectArchive(file, (fraction) => setMessage({ text: `Uploading ${file.name}… ${Math.round(fraction * 100)} %`, error: false }));
                  setCurrentProjectId(outcome.project.id);
                  const missing = outcome.missingModelIds.length > 0 ? ` Not installed here: ${outcome.missingModelIds.join(', ')} (those runs are kept and marked).` : '';
                  return `Imported “${outcome.project.name}”: ${countOf(outcome.runCount, 'run')}, ${countOf(outcome.comparisonCount, 'comparison')}.${missing}`;
                });
              }
            }}
          />
        </div>
      </div>
      {editing.kind === 'create' || editing.kind === 'rename' ? (
        <form
          className="inline project-name-form"
          onSubmit={(event) => {
            event.preventDefault();
            submitName();
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              setEditing({ kind: 'none' });
            }
          }}
        >
          <label htmlFor="project-name">{editing.kind === 'create' ? 'New project name' : 'New name'}</label>
          <input id="project-name" data-testid="project-name-input" autoFocus maxLength={120} value={editing.name} onChange={(event) => setEditing({ ...editing, name: event.target.value })} />
          <button type="submit" className="primary" data-testid="project-name-save" disabled={busy || editing.name.trim() === ''}>
            {editing.kind === 'create' ? 'Create' : 'Rename'}
          </button>
          <button type="button" onClick={() => setEditing({ kind: 'none' })}>
            Cancel
          </button>
        </form>
      ) : null}
      {editing.kind === 'confirm-delete' && current ? (
        <div className="inline project-confirm" role="group" aria-label={`Delete “${current.name}”?`}>
          <span>
            Delete “{current.name}” with its {countOf(current.runCount, 'run')}, {countOf(current.comparisonCount, 'comparison')} and their files?
          </span>
          <button
            type="button"
            className="danger"
            data-testid="project-confirm-delete"
            autoFocus
            disabled={busy}
            onClick={() => void run(async () => {
              const result = await studio.invoke('projects.delete', { id: current.id, confirm: true });
              setEditing({ kind: 'none' });
              setCurrentProjectId('default');
              return `Deleted “${current.name}” and its ${countOf(result.removedRuns, 'run')}.`;
            })}
          >
            Delete it
          </button>
          <button type="button" data-testid="project-keep" onClick={() => setEditing({ kind: 'none' })}>
            Keep
          </button>
        </div>
      ) : null}
      <p className={message?.error ? 'error' : 'hint'} role={message?.error ? 'alert' : 'status'} aria-live="polite" data-testid="projects-status">
        {message?.text ?? (state.kind === 'error' ? state.message : '')}
      </p>
    </section>
  );
}
