import type { HistoryEntry } from '@shared/domain/history';
import type { ModelSummary } from '@shared/domain/studio';
import type { ComposerSettings } from '../composer/composerSettings';

/**
 * The composer settings that run a history entry again: its request as given, with the seed locked to the seed
 * it ran with (when known) so the clip can be reproduced or varied one setting at a time. Settings the request
 * left to the backend's defaults keep what the composer has, except steps, which the entry records.
 */
export function composerSettingsFromHistory(entry: HistoryEntry, models: readonly ModelSummary[]): Partial<ComposerSettings> {
  const { request } = entry;
  const settings: Partial<ComposerSettings> = { prompt: request.prompt };
  const seed = request.seed ?? entry.seed;
  if (seed !== null && seed !== undefined) {
    settings.seedMode = 'locked';
    settings.seed = seed;
  } else {
    settings.seedMode = 'random';
  }
  const steps = request.steps ?? entry.steps;
  if (steps !== null && steps !== undefined) {
    settings.steps = steps;
  }
  if (request.cfgScale !== undefined) {
    settings.cfgScale = request.cfgScale;
  }
  const lpl = request.lpl ?? { kind: 'off' };
  settings.lplMode = lpl.kind;
  if (lpl.kind === 'fixed') {
    settings.leapStep = lpl.leapStep;
  }
  settings.tdtmMergedSteps = request.tdtmMergedSteps ?? 0;
  const budget = request.memoryBudget ?? { kind: 'all' };
  settings.budgetMode = budget.kind;
  if (budget.kind === 'bytes') {
    settings.budgetText = `${budget.bytes}B`;
  }
  const modelId = request.modelId ?? entry.modelId;
  settings.modelId = models.some((model) => model.id === modelId) ? (modelId ?? null) : (entry.modelId ?? null);
  return settings;
}
