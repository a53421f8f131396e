import type { LplSetting } from '@shared/domain/generation';
import type { StepRecord } from '../generation/jobStore';

interface StepTrackProps {
  steps: readonly StepRecord[];
  totalSteps: number;
  /** Planned TDTM merged steps (m) and LPL setting, to show what is still to come. */
  plannedMergedSteps: number;
  lpl: LplSetting | null;
}

type CellKind = 'done' | 'pending' | 'skipped';

/** Which steps ran merged (TDTM), where the leap happened (LPL), and which steps the leap skipped. */
export function StepTrack({ steps, totalSteps, plannedMergedSteps, lpl }: StepTrackProps): React.JSX.Element {
  const byIndex = new Map(steps.map((step) => [step.stepIndex, step]));
  const leap = steps.find((step) => step.leap);
  const mergedDone = steps.filter((step) => step.merged).map((step) => step.stepIndex + 1);
  const cells = Array.from({ length: totalSteps }, (_, index) => {
    const step = byIndex.get(index);
    const kind: CellKind = step ? 'done' : leap && index > leap.stepIndex ? 'skipped' : 'pending';
    const merged = step ? step.merged : index < plannedMergedSteps;
    const isLeap = step ? step.leap : false;
    const plannedLeap = !step && lpl?.kind === 'fixed' && lpl.leapStep === index;
    return { index, kind, merged, isLeap, plannedLeap };
  });
  const summary = [
    mergedDone.length > 0 ? `TDTM merged steps ${mergedDone[0]}–${mergedDone[mergedDone.length - 1]}` : plannedMergedSteps > 0 ? `TDTM merges the first ${plannedMergedSteps} steps` : 'no TDTM merging',
    leap ? `LPL leap at step ${leap.stepIndex + 1}` : lpl?.kind === 'fixed' ? `LPL leap planned at step ${lpl.leapStep + 1}` : lpl?.kind === 'dynamic' ? 'LPL dynamic: leaps when the velocity settles' : 'no LPL leap',
  ].join('; ');
  return (
    <div className="step-track-wrap">
      <p className="legend" data-testid="step-track-summary">
        {summary}
      </p>
      <div
        className="step-track"
        role="img"
        aria-label={summary}
        data-testid="step-track"
        data-merged={steps.filter((step) => step.merged).length}
        data-leap={leap ? leap.stepIndex : ''}
        style={{ gridTemplateColumns: `repeat(${Math.max(1, totalSteps)}, 1fr)` }}
      >
        {cells.map((cell) => (
          <span
            key={cell.index}
            className={`cell ${cell.kind}${cell.merged ? ' merged' : ''}${cell.isLeap ? ' leap' : ''}${cell.plannedLeap ? ' planned-leap' : ''}`}
            title={`Step ${cell.index + 1}: ${cell.kind}${cell.merged ? ', merged (TDTM)' : ''}${cell.isLeap ? ', leap (LPL)' : ''}${cell.plannedLeap ? ', leap planned' : ''}`}
          />
        ))}
      </div>
      <p className="legend">
        <span className="swatch merged" /> TDTM merged <span className="swatch leap" /> LPL leap <span className="swatch skipped" /> skipped by the leap
      </p>
    </div>
  );
}
