import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../src/shared/domain/studio';
import { forecastMemory } from '../../../src/renderer/src/features/composer/forecast';

const unit = (id: string, sizeBytes: number): { id: string; sizeBytes: number } => ({ id, sizeBytes });

/** A small model: text 2 × 10 B, denoiser 100 + 200 + 200 + 10 B, TDTM variants 100 + 300 + 200 + 10 B, decoder 50 B. */
const passes: ModelSummary['passes'] = {
  text: [unit('text.a', 10), unit('text.b', 10)],
  denoiser: [unit('den.embed', 100), unit('den.b0', 200), unit('den.b1', 200), unit('den.final', 10)],
  denoiserMerged: [unit('den.embed', 100), unit('den.b0.tdtm', 300), unit('den.b1.tdtm', 200), unit('den.final', 10)],
  encoder: [],
  decoder: [unit('dec', 50)],
};
const plain = { usesMergedSteps: false, conditioned: false };
const merged = { usesMergedSteps: true, conditioned: false };

describe('forecastMemory', () => {
  it('"all" keeps every denoiser unit resident; the budget is the largest pass', () => {
    const forecast = forecastMemory({ passes }, { kind: 'all' }, plain);
    expect(forecast).toMatchObject({ kind: 'ok', budgetBytes: 510, residentBytes: 510, peakBytes: 510, minimumBytes: 400 });
    if (forecast.kind === 'ok') {
      expect(forecast.residentUnitIds).toEqual(['den.embed', 'den.b0', 'den.b1', 'den.final']);
      expect(forecast.streamedUnitIds).toEqual([]);
    }
  });

  it('"min" streams every unit with the minimum working set (the two largest consecutive units)', () => {
    const forecast = forecastMemory({ passes }, { kind: 'min' }, plain);
    expect(forecast).toMatchObject({ kind: 'ok', budgetBytes: 400, residentBytes: 0, peakBytes: 400, minimumBytes: 400 });
  });

  it('TDTM adds the merged pass: its larger pair raises the minimum', () => {
    expect(forecastMemory({ passes }, { kind: 'min' }, merged)).toMatchObject({ kind: 'ok', budgetBytes: 500, minimumBytes: 500, peakBytes: 500 });
    expect(forecastMemory({ passes }, { kind: 'min' }, plain)).toMatchObject({ minimumBytes: 400 });
  });

  it('a byte budget keeps the largest resident prefix that fits', () => {
    const tight = forecastMemory({ passes }, { kind: 'bytes', bytes: 450 }, plain);
    expect(tight).toMatchObject({ kind: 'ok', budgetBytes: 450, residentBytes: 0, peakBytes: 400 });
    const roomy = forecastMemory({ passes }, { kind: 'bytes', bytes: 600 }, plain);
    expect(roomy).toMatchObject({ kind: 'ok', residentBytes: 510, peakBytes: 510 });
  });

  it('a budget between the minimum and "all" keeps part of the denoiser resident', () => {
    const stream: ModelSummary['passes'] = { text: [], encoder: [], denoiser: [unit('e', 100), unit('b0', 50), unit('b1', 50), unit('f', 100)], denoiserMerged: [], decoder: [] };
    const forecast = forecastMemory({ passes: stream }, { kind: 'bytes', bytes: 260 }, plain);
    expect(forecast).toMatchObject({ kind: 'ok', residentBytes: 100, peakBytes: 250, minimumBytes: 150, residentUnitIds: ['e'], streamedUnitIds: ['b0', 'b1', 'f'] });
  });

  it('a budget below the minimum working set is flagged with the minimum, as the engine would refuse it', () => {
    const forecast = forecastMemory({ passes }, { kind: 'bytes', bytes: 300 }, plain);
    expect(forecast).toMatchObject({ kind: 'below-minimum', budgetBytes: 300, minimumBytes: 400 });
    expect(forecastMemory({ passes }, { kind: 'bytes', bytes: 450 }, merged)).toMatchObject({ kind: 'below-minimum', minimumBytes: 500 });
  });

  it('activations are part of every figure: the budget covers weights and the clip\'s activations', () => {
    // The largest pass's activations (70, the decoder's) are the reserve; the merged pass's only count with TDTM.
    const clipMemory: ModelSummary['clipMemory'] = [{ key: '', frames: 16, width: 32, height: 32, activationBytes: { text: 5, encoder: 70, denoiser: 60, denoiserMerged: 90, decoder: 70 } }];
    expect(forecastMemory({ passes, clipMemory }, { kind: 'all' }, plain)).toMatchObject({ kind: 'ok', budgetBytes: 580, peakBytes: 580, minimumBytes: 470 });
    expect(forecastMemory({ passes, clipMemory }, { kind: 'min' }, plain)).toMatchObject({ kind: 'ok', budgetBytes: 470, peakBytes: 470 });
    // 450 bytes held 400 of weights before; with 70 of activations it is below the minimum.
    expect(forecastMemory({ passes, clipMemory }, { kind: 'bytes', bytes: 450 }, plain)).toMatchObject({ kind: 'below-minimum', minimumBytes: 470 });
    expect(forecastMemory({ passes, clipMemory }, { kind: 'min' }, merged)).toMatchObject({ kind: 'ok', minimumBytes: 500 + 90 });
  });

  it('a run from an image or extending a clip adds the VAE encoder\'s pass; text-to-video never loads it', () => {
    const withEncoder: ModelSummary['passes'] = { ...passes, encoder: [unit('enc.spatial', 120), unit('enc.temporal', 450)] };
    const conditioned = { usesMergedSteps: false, conditioned: true };
    // The encoder pass: 120 + 450 loaded at once at its minimum; it is now the largest pass.
    expect(forecastMemory({ passes: withEncoder }, { kind: 'min' }, conditioned)).toMatchObject({ kind: 'ok', minimumBytes: 570, budgetBytes: 570 });
    expect(forecastMemory({ passes: withEncoder }, { kind: 'all' }, conditioned)).toMatchObject({ kind: 'ok', budgetBytes: 570, peakBytes: 570 });
    expect(forecastMemory({ passes: withEncoder }, { kind: 'bytes', bytes: 500 }, conditioned)).toMatchObject({ kind: 'below-minimum', minimumBytes: 570 });
    const plainRun = forecastMemory({ passes: withEncoder }, { kind: 'min' }, plain);
    expect(plainRun).toMatchObject({ kind: 'ok', minimumBytes: 400 });
    expect(plainRun.passes.map((pass) => pass.pass)).toEqual(['text', 'denoiser', 'decoder']);
    const encoderRow = forecastMemory({ passes: withEncoder }, { kind: 'all' }, conditioned).passes[1];
    expect(encoderRow).toMatchObject({ pass: 'encoder', unitCount: 2, totalBytes: 570, peakBytes: 570 });
    // Its activations count too (the clip's encoder estimate, 80 here, above the decoder's 70).
    const clipMemory: ModelSummary['clipMemory'] = [{ key: '', frames: 16, width: 32, height: 32, activationBytes: { text: 5, encoder: 80, denoiser: 60, denoiserMerged: 90, decoder: 70 } }];
    expect(forecastMemory({ passes: withEncoder, clipMemory }, { kind: 'min' }, conditioned)).toMatchObject({ minimumBytes: 570 + 80 });
    // A model without an encoder has no such row even for a conditioned run.
    expect(forecastMemory({ passes }, { kind: 'min' }, conditioned).passes.map((pass) => pass.pass)).toEqual(['text', 'denoiser', 'decoder']);
  });

  it('reports each pass', () => {
    const forecast = forecastMemory({ passes }, { kind: 'all' }, merged);
    expect(forecast.passes.map((pass) => pass.pass)).toEqual(['text', 'denoiser', 'denoiserMerged', 'decoder']);
    expect(forecast.passes[0]).toMatchObject({ unitCount: 2, totalBytes: 20, residentCount: 2, peakBytes: 20, minWorkingSetBytes: 20 });
  });

  it('adds the activation estimate of the chosen clip size, the model\'s default (first entry) when none is chosen', () => {
    const activationBytes = (scale: number): Record<keyof ModelSummary['passes'], number> => ({ text: 1 * scale, encoder: 70 * scale, denoiser: 40 * scale, denoiserMerged: 30 * scale, decoder: 70 * scale });
    const clipMemory: ModelSummary['clipMemory'] = [
      { key: '144p|16:9|51', frames: 51, width: 256, height: 144, activationBytes: activationBytes(1) },
      { key: '480p|1:1|102', frames: 102, width: 640, height: 640, activationBytes: activationBytes(50) },
    ];
    const chosen = forecastMemory({ passes, clipMemory }, { kind: 'all' }, plain, '480p|1:1|102');
    const fallback = forecastMemory({ passes, clipMemory }, { kind: 'all' }, plain, '');
    expect(chosen).toMatchObject({ kind: 'ok', clip: { frames: 102, width: 640, height: 640 }, activationPeakBytes: 3500 });
    expect(fallback).toMatchObject({ kind: 'ok', clip: { frames: 51, width: 256, height: 144 }, activationPeakBytes: 70 });
    expect(chosen.passes.map((pass) => pass.activationBytes)).toEqual([50, 2000, 3500]);
    expect(forecastMemory({ passes }, { kind: 'all' }, plain)).toMatchObject({ clip: null, activationPeakBytes: null });
  });
});
