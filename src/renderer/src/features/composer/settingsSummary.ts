import type { ModelSummary } from '@shared/domain/studio';
import { formatMegabytes } from '@shared/util/bytes';
import { editRatioOf, isConditionStrength, type ComposerSettings } from './composerSettings';
import type { MemoryForecast } from './forecast';

const BUDGET_LABELS = { all: 'all resident', min: 'minimum budget' } as const;

/**
 * The folded settings in one line, e.g. "Shapes in motion 1.0 · 16 × 32×32 px · budget all resident · peak 7.04 MB
 * · TDTM off · 2 presets": what the next run uses without opening the fold. A run from a start image (`conditioned`)
 * adds its condition strength, e.g. "strength 0.7 (r = 0.3)".
 */
export function summarizeSettings(input: {
  settings: Pick<ComposerSettings, 'budgetMode' | 'budgetText' | 'tdtmMergedSteps' | 'conditionStrength'>;
  model: Pick<ModelSummary, 'name' | 'version' | 'native'> | undefined;
  forecast: MemoryForecast | null;
  presetCount: number;
  conditioned?: boolean;
}): string {
  const { settings, model, forecast, presetCount } = input;
  const parts: string[] = [];
  if (model) {
    const clip = (forecast?.kind === 'ok' ? forecast.clip : null) ?? model.native;
    parts.push(`${model.name} ${model.version}`, `${clip.frames} × ${clip.width}×${clip.height} px`);
  } else {
    parts.push('no model');
  }
  parts.push(`budget ${settings.budgetMode === 'bytes' ? settings.budgetText.trim() || '?' : BUDGET_LABELS[settings.budgetMode]}`);
  if (forecast?.kind === 'ok') {
    parts.push(`peak ${formatMegabytes(forecast.peakBytes)}`);
  } else if (forecast?.kind === 'below-minimum') {
    parts.push(`below the ${formatMegabytes(forecast.minimumBytes)} minimum`);
  }
  const merged = settings.tdtmMergedSteps;
  parts.push(Number.isFinite(merged) && merged > 0 ? `TDTM ${merged} step${merged === 1 ? '' : 's'}` : Number.isFinite(merged) ? 'TDTM off' : 'TDTM ?');
  if (input.conditioned) {
    const strength = settings.conditionStrength;
    parts.push(isConditionStrength(strength) ? `strength ${strength} (r = ${editRatioOf(strength)})` : 'strength ?');
  }
  parts.push(`${presetCount} preset${presetCount === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
