import { useState } from 'react';
import type { JobId } from '@shared/domain/studio';
import { RUN_EXPORT_SCALES } from '@shared/domain/runExport';
import { exportRunFiles, REVEAL_LABEL, revealRun, type ExportOutcome } from './exportActions';
import { defaultExportScale } from '@shared/media/pixels';

interface ExportBarProps {
  jobId: JobId;
  width: number;
  height: number;
  currentFrame: number;
}

type ExportStatus = { kind: 'busy'; text: string } | { kind: 'done'; outcome: ExportOutcome } | { kind: 'error'; text: string };

/** Export MP4, GIF, the current frame as PNG, or the record alone, from the run's files; every export carries the record. */
export function ExportBar({ jobId, width, height, currentFrame }: ExportBarProps): React.JSX.Element {
  const [scale, setScale] = useState(() => defaultExportScale(width, height));
  const [status, setStatus] = useState<ExportStatus | null>(null);
  const busy = status?.kind === 'busy';

  const run = async (label: string, action: () => Promise<ExportOutcome>): Promise<void> => {
    setStatus({ kind: 'busy', text: `${label}…` });
    try {
      setStatus({ kind: 'done', outcome: await action() });
    } catch (error) {
      setStatus({ kind: 'error', text: `${label} failed: ${(error as Error).message}` });
    }
  };

  return (
    <div className="export-bar" role="group" aria-labelledby="export-heading">
      <h3 id="export-heading">Export</h3>
      <div className="inline wrap">
        <label className="inline">
          Scale
          <select value={scale} onChange={(event) => setScale(Number(event.target.value))} data-testid="export-scale">
            {RUN_EXPORT_SCALES.map((value) => (
              <option key={value} value={value}>
                {value}× ({width * value}×{height * value})
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" data-testid="export-mp4" disabled={busy} onClick={() => void run('Exporting MP4', () => exportRunFiles(jobId, { format: 'mp4', scale }))}>
          Export MP4
        </button>
        <button type="button" data-testid="export-gif" disabled={busy} onClick={() => void run('Exporting GIF', () => exportRunFiles(jobId, { format: 'gif', scale }))}>
          Export GIF
        </button>
        <button type="button" data-testid="export-png" disabled={busy} onClick={() => void run('Saving PNG', () => exportRunFiles(jobId, { format: 'png', scale, frameIndex: currentFrame }))}>
          Save frame PNG
        </button>
        <button type="button" data-testid="export-json" disabled={busy} onClick={() => void run('Saving record', () => exportRunFiles(jobId, { format: 'json' }))}>
          Save settings JSON
        </button>
        <button type="button" data-testid="reveal-run" disabled={busy} onClick={() => void run(REVEAL_LABEL, () => revealRun(jobId))}>
          {REVEAL_LABEL}
        </button>
      </div>
      <p role="status" aria-live="polite" data-testid="export-status" data-kind={status?.kind ?? 'idle'} className={status?.kind === 'error' ? 'error' : 'hint'}>
        {status === null
          ? 'MP4, GIF and PNG carry a reproducibility record (prompt, seed, settings, model, app version): a sidecar JSON, or inside the PNG.'
          : status.kind === 'done'
            ? status.outcome.files.length > 0
              ? `Saved ${status.outcome.files.join(' + ')} — ${status.outcome.detail}`
              : status.outcome.detail
            : status.text}
      </p>
    </div>
  );
}
