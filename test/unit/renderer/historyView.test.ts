import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src/shared/domain/history';
import { historyQuerySchema } from '../../../src/shared/domain/history';
import type { ModelSummary } from '../../../src/shared/domain/studio';
import { budgetFromSettings, DEFAULT_COMPOSER_SETTINGS, toGenerateRequest } from '../../../src/renderer/src/features/composer/composerSettings';
import { formatLeap, formatStepsRun, formatTimestamp } from '../../../src/renderer/src/features/history/historyFormat';
import { describeRange, historyFilterFor, type HistoryView } from '../../../src/renderer/src/features/history/historyQuery';
import { composerSettingsFromHistory } from '../../../src/renderer/src/features/history/historyToComposer';

function entry(change: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: 'job-1',
    createdAtMs: Date.UTC(2025, 2, 7, 14, 5, 9),
    startedAtMs: null,
    finishedAtMs: null,
    status: 'done',
    prompt: 'a red circle',
    seed: 1234,
    modelId: 'shapes-tiny',
    steps: 30,
    stepsRun: 16,
    leapStep: 15,
    mergedSteps: 2,
    totalMs: 1500,
    peakRssBytes: 200_000_000,
    request: { prompt: 'a red circle', steps: 30, lpl: { kind: 'fixed', leapStep: 15 }, tdtmMergedSteps: 2 },
    error: null,
    outputs: [],
    projectId: 'default',
    derivedFrom: null,
    starred: false,
    modelVersion: '1.0.0',
    manifestHash: null,
    memoryBudgetBytes: null,
    hasMedia: false,
    modelInstalled: true,
    ...change,
  };
}

const VIEW: HistoryView = { sorting: [], search: '', projectId: null, modelId: null, lpl: 'any', tdtm: 'any', starredOnly: false };

describe('historyFilterFor', () => {
  it('maps the table state to history.list params the contract accepts', () => {
    const filter = historyFilterFor({ ...VIEW, sorting: [{ id: 'prompt', desc: false }], search: '  red ', projectId: 'p1', modelId: 'shapes-tiny', lpl: 'used', tdtm: 'unused', starredOnly: true });
    expect(filter).toEqual({ search: 'red', projectId: 'p1', modelId: 'shapes-tiny', lplUsed: true, tdtmUsed: false, starredOnly: true, sortBy: 'prompt', descending: false });
    expect(historyQuerySchema.parse({ ...filter, limit: 100, offset: 0 })).toEqual({ ...filter, limit: 100, offset: 0 });
  });

  it('sorts newest first without a sortable column and leaves blank search and open filters out', () => {
    expect(historyFilterFor({ ...VIEW, sorting: [{ id: 'thumbnail', desc: false }], search: '   ' })).toEqual({ sortBy: 'createdAt', descending: true });
  });

  it('keeps every sortable column id as the backend names it', () => {
    for (const id of ['createdAt', 'prompt', 'totalMs', 'stepsRun', 'seed', 'leapStep', 'mergedSteps', 'memoryBudget', 'peakRss', 'starred']) {
      expect(historyFilterFor({ ...VIEW, sorting: [{ id, desc: true }] }).sortBy).toBe(id);
    }
  });
});

describe('describeRange', () => {
  it('describes the rows in view', () => {
    expect(describeRange(10, 19, 43)).toBe('Rows 11–20 of 43');
    expect(describeRange(40, 60, 43)).toBe('Rows 41–43 of 43');
    expect(describeRange(0, 0, 0)).toBe('No rows');
  });
});

describe('history formatting', () => {
  it('formats local time, steps run and the leap', () => {
    const local = new Date(2025, 2, 7, 4, 5, 9).getTime();
    expect(formatTimestamp(local)).toBe('2025-03-07 04:05:09');
    expect(formatStepsRun({ stepsRun: 16, steps: 30 })).toBe('16 / 30');
    expect(formatStepsRun({ stepsRun: null, steps: null })).toBe('– / –');
    expect(formatLeap(15)).toBe('after 15');
    expect(formatLeap(null)).toBe('–');
  });
});

describe('composerSettingsFromHistory', () => {
  it('refills the request with the seed it ran with locked', () => {
    const settings = composerSettingsFromHistory(entry(), []);
    expect(settings).toEqual({
      prompt: 'a red circle',
      seedMode: 'locked',
      seed: 1234,
      steps: 30,
      lplMode: 'fixed',
      leapStep: 15,
      tdtmMergedSteps: 2,
      budgetMode: 'all',
      modelId: 'shapes-tiny',
    });
    const built = toGenerateRequest({ ...DEFAULT_COMPOSER_SETTINGS, ...settings }, undefined);
    expect(built).toEqual({
      ok: true,
      request: { prompt: 'a red circle', seed: 1234, steps: 30, cfgScale: 4, lpl: { kind: 'fixed', leapStep: 15 }, tdtmMergedSteps: 2, memoryBudget: { kind: 'all' } },
    });
  });

  it('keeps a random seed random when the run never resolved one, and reads byte budgets and model ids back', () => {
    const models = [{ id: 'other', path: '/models/other' }] as ModelSummary[];
    const settings = composerSettingsFromHistory(
      entry({
        seed: null,
        status: 'failed',
        request: { prompt: 'p', cfgScale: 6, lpl: { kind: 'dynamic' }, memoryBudget: { kind: 'bytes', bytes: 300_000_000 }, modelId: 'other' },
      }),
      models,
    );
    expect(settings).toMatchObject({ seedMode: 'random', cfgScale: 6, lplMode: 'dynamic', budgetMode: 'bytes', modelId: 'other', tdtmMergedSteps: 0 });
    expect(budgetFromSettings({ budgetMode: 'bytes', budgetText: settings.budgetText ?? '' })).toEqual({ ok: true, budget: { kind: 'bytes', bytes: 300_000_000 } });
  });
});
