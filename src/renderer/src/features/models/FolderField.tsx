import { canPickFolders, studio } from '../../ipc/studio';

interface FolderFieldProps {
  id: string;
  label: string;
  value: string;
  disabled?: boolean;
  onChange: (folder: string) => void;
}

/** A folder path on the machine that runs the studio: typed, or in the desktop app also chosen with Browse…. */
export function FolderField({ id, label, value, disabled, onChange }: FolderFieldProps): React.JSX.Element {
  return (
    <div className="field span-2">
      <label htmlFor={id}>{label}</label>
      <div className="inline">
        <input id={id} data-testid={id} required disabled={disabled} placeholder="/path/to/folder" value={value} onChange={(event) => onChange(event.target.value)} />
        {canPickFolders ? (
          <button
            type="button"
            disabled={disabled}
            onClick={() => void studio.invoke('models.pickFolder', {}).then(({ path }) => path !== null && onChange(path), () => undefined)}
          >
            Browse…
          </button>
        ) : null}
      </div>
    </div>
  );
}
