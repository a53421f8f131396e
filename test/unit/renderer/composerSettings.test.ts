import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../src/shared/domain/studio';
import { studioGenerateRequestSchema } from '../../../src/shared/domain/generation';
import {
  DEFAULT_COMPOSER_SETTINGS,
  pickPersisted,
  randomSeed,
  restoreSettings,
  settingsFromResolved,
  toGenerateRequest,
} from '../../../src/renderer/src/features/composer/composerSettings';

const base = { ...DEFAULT_COMPOSER_SETTINGS, prompt: 'a red circle' };

describe('toGenerateRequest', () => {
  it('builds a request the contract accepts', () => {
    const built = toGenerateRequest({ ...base, seedMode: 'locked', seed: 5, lplMode: 'fixed', leapStep: 10, tdtmMergedSteps: 2, budgetMode: 'bytes', budgetText: '8MB' }, undefined);
    expect(built).toEqual({
      ok: true,
      request: { prompt: 'a red circle', seed: 5, steps: 30, cfgScale: 4, lpl: { kind: 'fixed', leapStep: 10 }, tdtmMergedSteps: 2, memoryBudget: { kind: 'bytes', bytes: 8_000_000 } },
    });
    if (built.ok) {
      expect(studioGenerateRequestSchema.safeParse(built.request).success).toBe(true);
    }
  });

  it('leaves the seed out when random, uses the backend defaults for dynamic LPL, and names the model by id (never a path)', () => {
    const model = { id: 'other', builtin: false, path: '/models/other' } as ModelSummary;
    const built = toGenerateRequest({ ...base, lplMode: 'dynamic' }, model);
    expect(built.ok && built.request).toMatchObject({ lpl: { kind: 'dynamic' }, modelId: 'other' });
    expect(built.ok && 'modelPath' in built.request).toBe(false);
    expect(built.ok && 'seed' in built.request).toBe(false);
    expect(studioGenerateRequestSchema.safeParse(built.ok && built.request).success).toBe(true);
  });

  it('names the field that cannot be read', () => {
    expect(toGenerateRequest({ ...base, prompt: '  ' }, undefined)).toMatchObject({ ok: false, field: 'prompt' });
    expect(toGenerateRequest({ ...base, steps: Number.NaN }, undefined)).toMatchObject({ ok: false, field: 'steps' });
    expect(toGenerateRequest({ ...base, budgetMode: 'bytes', budgetText: 'lots' }, undefined)).toMatchObject({ ok: false, field: 'budgetText' });
  });

  it('a start image goes with the request, with the condition strength S when it is not the default 1', () => {
    const image = { fileName: 'meadow.png', dataBase64: 'iVBORw0KGgo=' };
    const fixed = toGenerateRequest(base, undefined, image);
    expect(fixed.ok && fixed.request.reference).toEqual({ kind: 'image', fileName: 'meadow.png', dataBase64: 'iVBORw0KGgo=' });
    const loose = toGenerateRequest({ ...base, conditionStrength: 0.7 }, undefined, image);
    expect(loose.ok && loose.request.reference).toEqual({ kind: 'image', fileName: 'meadow.png', dataBase64: 'iVBORw0KGgo=', strength: 0.7 });
    expect(studioGenerateRequestSchema.safeParse(loose.ok && loose.request).success).toBe(true);
    // Without an image the strength is not asked for, even when it is out of range.
    const plain = toGenerateRequest({ ...base, conditionStrength: 0 }, undefined);
    expect(plain.ok && 'reference' in plain.request).toBe(false);
  });

  it('refuses a condition strength outside (0, 1] when starting from an image, naming the field', () => {
    const image = { fileName: 'meadow.png', dataBase64: 'iVBORw0KGgo=' };
    for (const conditionStrength of [0, -0.5, 1.2, Number.NaN]) {
      const built = toGenerateRequest({ ...base, conditionStrength }, undefined, image);
      expect(built).toMatchObject({ ok: false, field: 'conditionStrength' });
      expect(!built.ok && built.message).toContain('(0, 1]');
    }
  });
});

describe('settings persistence', () => {
  it('presets carry everything but the prompt; reloads keep the prompt too', () => {
    expect(pickPersisted(base, 'preset')).not.toHaveProperty('prompt');
    expect(pickPersisted(base, 'reload')).toHaveProperty('prompt', 'a red circle');
  });

  it('restores only known keys of the right type', () => {
    const restored = restoreSettings({ steps: 12, cfgScale: 'high', bogus: 1, modelId: 'm', seed: Number.POSITIVE_INFINITY });
    expect(restored).toEqual({ ...DEFAULT_COMPOSER_SETTINGS, steps: 12, modelId: 'm' });
    expect(restoreSettings('garbage')).toEqual(DEFAULT_COMPOSER_SETTINGS);
  });

  it('a finished clip\'s settings refill the composer with its seed locked', () => {
    const settings = settingsFromResolved({
      prompt: 'p',
      seed: 77,
      steps: 12,
      cfgScale: 3,
      lpl: { kind: 'fixed', leapStep: 6 },
      tdtmMergedSteps: 1,
      memoryBudget: { kind: 'bytes', bytes: 1234567 },
      modelId: 'm',
      modelVersion: '1',
      modelPath: '/m',
      frames: 16,
      height: 32,
      width: 32,
      fps: 8,
    });
    expect(settings).toEqual({ prompt: 'p', seedMode: 'locked', seed: 77, steps: 12, cfgScale: 3, lplMode: 'fixed', leapStep: 6, tdtmMergedSteps: 1, budgetMode: 'bytes', budgetText: '1234567', modelId: 'm', clipPreset: '' });
    const rebuilt = toGenerateRequest({ ...DEFAULT_COMPOSER_SETTINGS, ...settings }, undefined);
    expect(rebuilt.ok && rebuilt.request.memoryBudget).toEqual({ kind: 'bytes', bytes: 1234567 });
  });

  it('a clip made at a preset refills the clip-size picker, and the request asks for that preset again', () => {
    const settings = settingsFromResolved({
      prompt: 'p', seed: 1, steps: 4, cfgScale: 7, lpl: { kind: 'off' }, tdtmMergedSteps: 0, memoryBudget: { kind: 'all' },
      modelId: 'os', modelVersion: '1.2.0', modelPath: '/os', frames: 51, height: 144, width: 256, fps: 24, clip: { resolution: '144p', aspect: '16:9' },
    });
    expect(settings.clipPreset).toBe('144p|16:9|51');
    const withPresets = { builtin: false, path: '/os', clipPresets: { resolutions: [], durations: [], default: { resolution: '144p', aspect: '16:9', duration: '2s' } } } as unknown as ModelSummary;
    const rebuilt = toGenerateRequest({ ...DEFAULT_COMPOSER_SETTINGS, ...settings }, withPresets);
    expect(rebuilt.ok && rebuilt.request.clip).toEqual({ resolution: '144p', aspect: '16:9', frames: 51 });
    // A model without presets never gets a clip choice (the backend would refuse it).
    const plain = toGenerateRequest({ ...DEFAULT_COMPOSER_SETTINGS, ...settings }, { builtin: true, clipPresets: null } as unknown as ModelSummary);
    expect(plain.ok && plain.request.clip).toBeUndefined();
  });

  it('random seeds are in range', () => {
    expect(randomSeed(() => 0)).toBe(0);
    expect(randomSeed(() => 0.999999999999)).toBeLessThanOrEqual(2 ** 32 - 1);
  });
});
