import { GENERATION_LIMITS } from '@shared/domain/generation';
import { plannedModelCalls } from '@shared/domain/lpl';
import { MAX_VARIANTS, newVariantKey, variantProblem, withLplKind, type CompareVariant, type VariantLpl } from './compareVariants';

interface VariantEditorProps {
  variants: readonly CompareVariant[];
  tdtmMergedSteps: number;
  onChange: (variants: CompareVariant[]) => void;
  onReset: () => void;
  disabled: boolean;
}

function numberValue(value: number): string | number {
  return Number.isFinite(value) ? value : '';
}

interface LplStepInputProps {
  testId: string;
  label: string;
  value: number;
  /** The variant's step count: an LPL step lies in 1..steps-1. */
  steps: number;
  /** The id of the row's error message, when the row has one. */
  problemId: string | undefined;
  onValue: (step: number) => void;
}

/** A step number for the LPL setting of one variant (the fixed leap step or the dynamic rule's minimum step). */
function LplStepInput({ testId, label, value, steps, problemId, onValue }: LplStepInputProps): React.JSX.Element {
  return (
    <input
      type="number"
      min={1}
      max={Math.max(1, steps - 1)}
      step={1}
      data-testid={testId}
      aria-label={label}
      aria-invalid={problemId ? true : undefined}
      aria-describedby={problemId}
      value={numberValue(value)}
      onChange={(event) => onValue(event.target.valueAsNumber)}
    />
  );
}

/** The list of variants to compare: LPL kind, its leap (or minimum) step, and steps per row; add, remove, reset. */
export function VariantEditor({ variants, tdtmMergedSteps, onChange, onReset, disabled }: VariantEditorProps): React.JSX.Element {
  const replace = (index: number, variant: CompareVariant): void => onChange(variants.map((current, i) => (i === index ? variant : current)));
  const remove = (index: number): void => onChange(variants.filter((_, i) => i !== index));
  const add = (): void => {
    const last = variants[variants.length - 1];
    onChange([...variants, { key: newVariantKey(), steps: last?.steps ?? 30, lpl: { kind: 'off' } }]);
  };

  return (
    <fieldset className="variant-editor" disabled={disabled} data-testid="compare-variants">
      <legend>Variants (the first is the baseline)</legend>
      <ol className="variant-list">
        {variants.map((variant, index) => {
          const problem = variantProblem(variant, tdtmMergedSteps);
          const calls = plannedModelCalls(variant.lpl, variant.steps);
          const rowLabel = `Variant ${index + 1}`;
          const problemId = `variant-problem-${variant.key}`;
          return (
            <li key={variant.key} className="variant-row" data-testid="compare-variant" aria-label={rowLabel}>
              <span className="variant-index" aria-hidden="true">
                {index + 1}
              </span>
              <label className="inline">
                <input
                  type="number"
                  min={GENERATION_LIMITS.stepsMin}
                  max={GENERATION_LIMITS.stepsMax}
                  step={1}
                  data-testid={`variant-steps-${index}`}
                  aria-label={`${rowLabel}: steps`}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? problemId : undefined}
                  value={numberValue(variant.steps)}
                  onChange={(event) => replace(index, { ...variant, steps: event.target.valueAsNumber })}
                />
                steps ·
              </label>
              <label className="inline">
                <span className="visually-hidden">{rowLabel}: LPL</span>
                <select
                  value={variant.lpl.kind}
                  data-testid={`variant-kind-${index}`}
                  onChange={(event) => replace(index, withLplKind(variant, event.target.value as VariantLpl['kind']))}
                >
                  <option value="off">No LPL</option>
                  <option value="fixed">Leap after</option>
                  <option value="dynamic">Dynamic LPL from</option>
                </select>
              </label>
              {variant.lpl.kind === 'fixed' ? (
                <label className="inline">
                  <LplStepInput
                    testId={`variant-leap-${index}`}
                    label={`${rowLabel}: leap after this many steps`}
                    value={variant.lpl.leapStep}
                    steps={variant.steps}
                    problemId={problem ? problemId : undefined}
                    onValue={(leapStep) => replace(index, { ...variant, lpl: { kind: 'fixed', leapStep } })}
                  />
                  steps
                </label>
              ) : null}
              {variant.lpl.kind === 'dynamic' ? (
                <label className="inline">
                  step
                  <LplStepInput
                    testId={`variant-minimum-${index}`}
                    label={`${rowLabel}: dynamic LPL minimum step`}
                    value={variant.lpl.minimumStep}
                    steps={variant.steps}
                    problemId={problem ? problemId : undefined}
                    onValue={(minimumStep) => replace(index, { ...variant, lpl: { kind: 'dynamic', minimumStep } })}
                  />
                </label>
              ) : null}
              <span className="muted variant-calls">{calls === null ? `≤ ${Number.isFinite(variant.steps) ? variant.steps : '?'} model calls` : `${calls} model calls`}</span>
              <button type="button" className="icon" aria-label={`Remove variant ${index + 1}`} data-testid={`variant-remove-${index}`} disabled={variants.length <= 1} onClick={() => remove(index)}>
                ✕
              </button>
              {problem ? (
                <p className="hint error variant-problem" id={problemId} role="alert">
                  {problem}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
      <div className="actions">
        <button type="button" onClick={add} disabled={variants.length >= MAX_VARIANTS} data-testid="variant-add">
          Add variant
        </button>
        <button type="button" onClick={onReset} data-testid="variant-reset">
          Reset to defaults
        </button>
      </div>
    </fieldset>
  );
}
