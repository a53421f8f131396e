import { describe, expect, it } from 'vitest';
import type { GenerationSummary } from '../../../src/shared/domain/generation';
import { APP_VERSION } from '../../../src/shared/version';
import { addPngText, crc32, isPng } from '../../../src/renderer/src/features/result/pngText';
import { buildReproRecord, exportBaseName, RECORD_KIND } from '../../../src/renderer/src/features/result/reproRecord';
import { defaultExportScale, upscaleNearest } from '../../../src/shared/media/pixels';

/** Reads the text of every iTXt chunk with the keyword: how the test finds the record the export embedded. */
function readPngText(png: Uint8Array, keyword: string): string[] {
  const texts: string[] = [];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const decoder = new TextDecoder();
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = view.getUint32(offset);
    const type = decoder.decode(png.subarray(offset + 4, offset + 8));
    if (type === 'iTXt') {
      const data = png.subarray(offset + 8, offset + 8 + length);
      const keywordEnd = data.indexOf(0);
      if (decoder.decode(data.subarray(0, keywordEnd)) === keyword) {
        // keyword\0, compression flag, method, language\0, translated keyword\0, text
        const languageEnd = data.indexOf(0, keywordEnd + 3);
        const translatedEnd = data.indexOf(0, languageEnd + 1);
        texts.push(decoder.decode(data.subarray(translatedEnd + 1)));
      }
    }
    offset += 12 + length;
  }
  return texts;
}

function chunk(type: string, data: number[]): number[] {
  const body = [...new TextEncoder().encode(type), ...data];
  const crc = crc32(Uint8Array.from(body));
  const length = data.length;
  return [(length >>> 24) & 255, (length >>> 16) & 255, (length >>> 8) & 255, length & 255, ...body, (crc >>> 24) & 255, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255];
}

/** A structurally valid PNG skeleton: signature, IHDR (1×1 RGBA), IEND. */
const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk('IHDR', [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]), ...chunk('IEND', [])]);

describe('PNG text chunk', () => {
  it('computes the PNG CRC (IEND\'s is AE426082)', () => {
    expect(crc32(new TextEncoder().encode('IEND')).toString(16)).toBe('ae426082');
  });

  it('inserts an iTXt chunk after IHDR and reads it back (UTF-8)', () => {
    const text = JSON.stringify({ prompt: 'un carré jaune ↑' });
    const withText = addPngText(png, 'on-device-sora-studio', text);
    expect(isPng(withText)).toBe(true);
    expect(withText.length).toBe(png.length + 12 + 'on-device-sora-studio'.length + 5 + new TextEncoder().encode(text).length);
    expect(new TextDecoder().decode(withText.subarray(37, 41))).toBe('iTXt');
    expect(readPngText(withText, 'on-device-sora-studio')).toEqual([text]);
    expect(readPngText(withText, 'other')).toEqual([]);
    expect(new TextDecoder().decode(withText.subarray(withText.length - 8, withText.length - 4))).toBe('IEND');
  });

  it('refuses what is not a PNG, and bad keywords', () => {
    expect(() => addPngText(new Uint8Array(20), 'k', 't')).toThrow(/Not a PNG/);
    expect(() => addPngText(png, '', 't')).toThrow(/keyword/);
  });
});

describe('reproducibility record', () => {
  const summary: GenerationSummary = {
    settings: {
      prompt: 'a yellow square moving up',
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
    },
    seed: 42,
    stepsRun: 21,
    leapStep: 20,
    mergedSteps: 2,
    timingsMs: { load: 0, text: 10, denoise: 2000, decode: 50, write: 30, total: 2100 },
    stepLatencyMs: [],
    peakRssBytes: 1e8,
    peakResidentBytes: 5e6,
    memoryBudgetBytes: 8e6,
    outputs: [],
    warnings: [],
    promptText: 'a yellow square moving up',
    promptTokens: [5, 9, 3, 1],
    activationBytes: 2e6,
    baselineRssBytes: 9e7,
  };

  it('carries prompt, seed, settings, model id and app version, and a request that reruns the clip', () => {
    const record = buildReproRecord('job-1', summary, null, new Date('2026-01-02T03:04:05Z'));
    expect(record).toMatchObject({
      kind: RECORD_KIND,
      app: { version: APP_VERSION },
      prompt: 'a yellow square moving up',
      seed: 42,
      model: { id: 'shapes-tiny', version: '1.0.0' },
      exportedAt: '2026-01-02T03:04:05.000Z',
      request: { prompt: 'a yellow square moving up', seed: 42, steps: 30, cfgScale: 4, lpl: { kind: 'fixed', leapStep: 20 }, tdtmMergedSteps: 2, memoryBudget: { kind: 'bytes', bytes: 8_000_000 } },
      run: { stepsRun: 21, leapStep: 20 },
    });
    expect(JSON.stringify(record)).not.toContain('/private/path');
  });

  it('names files from the prompt and seed', () => {
    expect(exportBaseName('A yellow square, moving UP!', 42)).toBe('a-yellow-square-moving-up-seed42');
    expect(exportBaseName('???', 1)).toBe('clip-seed1');
  });
});

describe('export scaling', () => {
  it('upscales with nearest neighbour', () => {
    const rgba = Uint8Array.from([1, 1, 1, 255, 2, 2, 2, 255]);
    const scaled = upscaleNearest(rgba, 2, 1, 2);
    expect(Array.from(scaled.filter((_, index) => index % 4 === 0))).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });
  it('makes the longer side at least 256 px by default', () => {
    expect(defaultExportScale(32, 32)).toBe(8);
    expect(defaultExportScale(300, 100)).toBe(1);
    expect(defaultExportScale(8, 4)).toBe(16);
  });
});
