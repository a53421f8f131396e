import type { BudgetMode, ComposerSettings } from './composerSettings';

interface MemoryBudgetFieldProps {
  settings: ComposerSettings;
  update: (change: Partial<ComposerSettings>) => void;
  /** Why the size text is not understood, if it is not. */
  problem: string | null;
}

/** Memory budget for model weights: keep all resident, stream with the minimum, or a size. */
export function MemoryBudgetField({ settings, update, problem }: MemoryBudgetFieldProps): React.JSX.Element {
  return (
    <div className="field">
      <label htmlFor="budget-mode">Memory budget</label>
      <div className="inline">
        <select id="budget-mode" data-testid="budget-mode" value={settings.budgetMode} onChange={(event) => update({ budgetMode: event.target.value as BudgetMode })}>
          <option value="all">All resident</option>
          <option value="min">Minimum (stream every unit)</option>
          <option value="bytes">Size…</option>
        </select>
        {settings.budgetMode === 'bytes' ? (
          <input
            type="text"
            inputMode="decimal"
            aria-label="Memory budget size (e.g. 300MB, 1.5GB)"
            aria-invalid={problem !== null}
            aria-describedby={problem ? 'budget-problem' : undefined}
            data-testid="budget-bytes"
            size={9}
            value={settings.budgetText}
            onChange={(event) => update({ budgetText: event.target.value })}
          />
        ) : null}
      </div>
      {problem ? (
        <p id="budget-problem" className="hint error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
