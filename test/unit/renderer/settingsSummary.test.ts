import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../src/shared/domain/studio';
import { DEFAULT_COMPOSER_SETTINGS } from '../../../src/renderer/src/features/composer/composerSettings';
import { forecastMemory } from '../../../src/renderer/src/features/composer/forecast';
import { summarizeSettings } from '../../../src/renderer/src/features/composer/settingsSummary';

const unit = (id: string, sizeBytes: number): { id: string; sizeBytes: number } => ({ id, sizeBytes });
const model = {
  name: 'Shapes',
  version: '1.0.0',
  native: { frames: 16, width: 32, height: 32, fps: 8 },
  passes: {
    text: [unit('text', 1_000_000)],
    encoder: [],
    denoiser: [unit('den.a', 2_000_000), unit('den.b', 3_000_000)],
    denoiserMerged: [unit('den.a', 2_000_000), unit('den.b.tdtm', 3_500_000)],
    decoder: [unit('dec', 500_000)],
  },
} as Partial<ModelSummary> as ModelSummary;

describe('summarizeSettings (the folded settings in one line)', () => {
  it('names the model, its clip, the budget with the forecast peak, TDTM and the presets', () => {
    const forecast = forecastMemory(model, { kind: 'all' }, { usesMergedSteps: false, conditioned: false });
    expect(summarizeSettings({ settings: DEFAULT_COMPOSER_SETTINGS, model, forecast, presetCount: 0 })).toBe(
      'Shapes 1.0.0 · 16 × 32×32 px · budget all resident · peak 5.00 MB · TDTM off · 0 presets',
    );
  });

  it('a size budget below the minimum says so; TDTM counts its steps; one preset is one', () => {
    const settings = { ...DEFAULT_COMPOSER_SETTINGS, budgetMode: 'bytes' as const, budgetText: ' 1MB ', tdtmMergedSteps: 1 };
    const forecast = forecastMemory(model, { kind: 'bytes', bytes: 1_000_000 }, { usesMergedSteps: true, conditioned: false });
    expect(forecast.kind).toBe('below-minimum');
    expect(summarizeSettings({ settings, model, forecast, presetCount: 1 })).toBe('Shapes 1.0.0 · 16 × 32×32 px · budget 1MB · below the 5.50 MB minimum · TDTM 1 step · 1 preset');
  });

  it('a run from a start image adds its condition strength S and edit ratio r = 1 − S', () => {
    const forecast = forecastMemory(model, { kind: 'all' }, { usesMergedSteps: false, conditioned: true });
    const settings = { ...DEFAULT_COMPOSER_SETTINGS, conditionStrength: 0.7 };
    expect(summarizeSettings({ settings, model, forecast, presetCount: 0, conditioned: true })).toContain(' · strength 0.7 (r = 0.3) · 0 presets');
    expect(summarizeSettings({ settings: DEFAULT_COMPOSER_SETTINGS, model, forecast, presetCount: 0, conditioned: true })).toContain(' · strength 1 (r = 0) · ');
    expect(summarizeSettings({ settings: { ...settings, conditionStrength: 0 }, model, forecast, presetCount: 0, conditioned: true })).toContain(' · strength ? · ');
    expect(summarizeSettings({ settings, model, forecast, presetCount: 0, conditioned: false })).not.toContain('strength');
  });

  it('without a model, or with fields half typed, it says what it does not know', () => {
    const settings = { ...DEFAULT_COMPOSER_SETTINGS, budgetMode: 'bytes' as const, budgetText: '', tdtmMergedSteps: Number.NaN };
    expect(summarizeSettings({ settings, model: undefined, forecast: null, presetCount: 3 })).toBe('no model · budget ? · TDTM ? · 3 presets');
  });
});
