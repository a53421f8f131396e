import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ResolvedSettings } from '../../../src/shared/domain/generation';
import { buildReproducibilityRecord, parseReproducibilityRecord, PNG_RECORD_KEYWORD, REPRODUCIBILITY_RECORD_KIND } from '../../../src/shared/domain/reproducibilityRecord';
import { exportBaseName } from '../../../src/shared/domain/runExport';
import { defaultExportScale, downscaleNearest, upscaleNearest } from '../../../src/shared/media/pixels';
import { APP_VERSION } from '../../../src/shared/version';
import { encodePng } from '../../../src/main/engine/output/pngWriter';
import { readPngText } from '../../support/pngText';

const settings: ResolvedSettings = {
  prompt: 'un carré jaune moving up ↑',
  seed: 42,
  steps: 30,
  cfgScale: 4,
  lpl: { kind: 'fixed', leapStep: 20 },
  tdtmMergedSteps: 2,
  memoryBudget: { kind: 'bytes', bytes: 8_000_000 },
  modelId: 'shapes-tiny',
  modelVersion: '1.0.0',
  modelPath: '/private/path/models/shapes-tiny',
  frames: 16,
  height: 32,
  width: 32,
  fps: 8,
};

describe('the reproducibility record (one schema, src/shared)', () => {
  const record = buildReproducibilityRecord(settings, { stepsRun: 21, leapStep: 20, mergedSteps: 2 }, 8, { now: new Date('2026-01-02T03:04:05Z') });

  it('carries prompt, seed, model, app version and a request that reruns the clip, never the model folder', () => {
    expect(record).toMatchObject({
      kind: REPRODUCIBILITY_RECORD_KIND,
      app: { version: APP_VERSION },
      createdAt: '2026-01-02T03:04:05.000Z',
      prompt: settings.prompt,
      seed: 42,
      model: { id: 'shapes-tiny', version: '1.0.0' },
      request: { prompt: settings.prompt, seed: 42, steps: 30, cfgScale: 4, lpl: { kind: 'fixed', leapStep: 20 }, tdtmMergedSteps: 2, memoryBudget: { kind: 'bytes', bytes: 8_000_000 }, modelId: 'shapes-tiny' },
      run: { stepsRun: 21, leapStep: 20, mergedSteps: 2 },
      clip: { frames: 16, width: 32, height: 32, fps: 8 },
      files: { scale: 8, width: 256, height: 256 },
    });
    expect(JSON.stringify(record)).not.toContain('/private/path');
    expect(parseReproducibilityRecord(JSON.stringify(record), 'clip.json')).toEqual(record);
  });

  it('says what a conditioned clip was made from (the reference), and refuses a reference it cannot read', () => {
    const reference = { kind: 'extend', source: 'run 20260102-abc', strength: 0.8, editRatio: 1 - 0.8, latentFrames: 5, pixelFrames: 17 } as const;
    const conditioned = buildReproducibilityRecord(settings, { stepsRun: 21, leapStep: 20, mergedSteps: 2 }, 8, { reference });
    expect(conditioned.reference).toEqual(reference);
    expect(parseReproducibilityRecord(JSON.stringify(conditioned), 'clip.json').reference).toEqual(reference);
    expect(record).not.toHaveProperty('reference');
    expect(() => parseReproducibilityRecord(JSON.stringify({ ...conditioned, reference: { ...reference, kind: 'video' } }), 'x.json')).toThrow(/reference\.kind/);
    expect(() => parseReproducibilityRecord(JSON.stringify({ ...conditioned, reference: { ...reference, editRatio: 1 } }), 'x.json')).toThrow(/reference\.editRatio/);
  });

  it('refuses text that is not JSON, or not a record, naming the field', () => {
    expect(() => parseReproducibilityRecord('{', 'x.json')).toThrow(/^x\.json is not JSON/);
    expect(() => parseReproducibilityRecord(JSON.stringify({ ...record, seed: -1 }), 'x.json')).toThrow(/x\.json is not a reproducibility record: .*seed/);
    const { request: _request, ...withoutRequest } = record;
    expect(() => parseReproducibilityRecord(JSON.stringify(withoutRequest), 'x.json')).toThrow(/request/);
    expect(() => parseReproducibilityRecord(JSON.stringify({ ...record, extra: 1 }), 'x.json')).toThrow(/extra/);
  });

  it('travels inside a PNG frame as UTF-8 (iTXt), which a PNG decoder still reads', () => {
    const text = JSON.stringify(record);
    const png = encodePng(new Uint8Array(2 * 2 * 4).fill(200), 2, 2, { [PNG_RECORD_KEYWORD]: text });
    expect(readPngText(png, PNG_RECORD_KEYWORD)).toEqual([text]);
    expect(readPngText(png, 'other')).toEqual([]);
    expect(PNG.sync.read(Buffer.from(png))).toMatchObject({ width: 2, height: 2 });
    expect(() => encodePng(new Uint8Array(4), 1, 1, { '': 'x' })).toThrow(/keyword/);
  });

  it('names files from the prompt and seed', () => {
    expect(exportBaseName('A yellow square, moving UP!', 42)).toBe('a-yellow-square-moving-up-seed42');
    expect(exportBaseName('???', 1)).toBe('clip-seed1');
  });
});

describe('export scaling', () => {
  it('upscales with nearest neighbour, and undoes it exactly', () => {
    const rgba = Uint8Array.from([1, 1, 1, 255, 2, 2, 2, 255]);
    const scaled = upscaleNearest(rgba, 2, 1, 2);
    expect(Array.from(scaled.filter((_, index) => index % 4 === 0))).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
    expect(Array.from(downscaleNearest(scaled, 4, 2, 2))).toEqual(Array.from(rgba));
    expect(() => downscaleNearest(scaled, 4, 2, 3)).toThrow(/3× upscale of a 4×2/);
  });
  it('makes the longer side at least 256 px by default', () => {
    expect(defaultExportScale(32, 32)).toBe(8);
    expect(defaultExportScale(300, 100)).toBe(1);
    expect(defaultExportScale(8, 4)).toBe(16);
  });
});
