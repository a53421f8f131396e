import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/shared/domain/generation';
import { parseReproducibilityRecord, PNG_RECORD_KEYWORD } from '../../../src/shared/domain/reproducibilityRecord';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { fixturePackage } from '../support/randomPackage';
import { readPngText } from '../../support/pngText';

function clipHash(frames: Uint8ClampedArray[]): string {
  const hash = createHash('sha256');
  for (const frame of frames) {
    hash.update(frame);
  }
  return hash.digest('hex');
}

describe('generateVideo on a random-weight package', () => {
  let modelPath: string;
  beforeAll(() => {
    modelPath = fixturePackage('random-d4');
  });

  it('runs text → denoise → decode and reports every step', async () => {
    const events: GenerationEvent[] = [];
    const { summary, clip } = await generateVideo(
      { prompt: 'a red circle moving left on a blue background', seed: 7, steps: 4, modelPath },
      { onEvent: (event) => events.push(event) },
    );
    expect(summary.stepsRun).toBe(4);
    expect(summary.leapStep).toBeNull();
    expect(clip.frames).toHaveLength(16);
    // The record says what the encoder read: the prepared text and its ids before padding, end token last.
    const manifest = JSON.parse(fs.readFileSync(path.join(modelPath, 'manifest.json'), 'utf8')) as { text: { tokenizer: { endId: number; vocabFile: string } } };
    const vocabulary = JSON.parse(fs.readFileSync(path.join(modelPath, manifest.text.tokenizer.vocabFile), 'utf8')) as string[];
    expect(summary.promptText).toBe('a red circle moving left on a blue background');
    expect(summary.promptTokens.at(-1)).toBe(manifest.text.tokenizer.endId);
    expect(summary.promptTokens.slice(0, -1).map((id) => vocabulary[id])).toEqual(summary.promptText.split(' '));
    expect(clip.width).toBe(32);
    const steps = events.filter((event) => event.kind === 'step');
    expect(steps).toHaveLength(4);
    const first = steps[0];
    if (first.kind !== 'step') {
      throw new Error(`expected a step event, got ${first.kind}`);
    }
    expect(first.preview?.frames).toBe(16);
    expect(first.units.map((unit) => unit.unitId)).toEqual(['denoiser.embedder', 'denoiser.block.00', 'denoiser.block.01', 'denoiser.block.02', 'denoiser.block.03', 'denoiser.final']);
    expect(events.at(-1)?.kind).toBe('done');
  });

  it('is deterministic: same seed, same frames', async () => {
    const a = await generateVideo({ prompt: 'a green square moving up on a black background', seed: 11, steps: 3, modelPath });
    const b = await generateVideo({ prompt: 'a green square moving up on a black background', seed: 11, steps: 3, modelPath });
    const c = await generateVideo({ prompt: 'a green square moving up on a black background', seed: 12, steps: 3, modelPath });
    expect(clipHash(a.clip.frames)).toBe(clipHash(b.clip.frames));
    expect(clipHash(a.clip.frames)).not.toBe(clipHash(c.clip.frames));
  });

  it('writes GIF, PNG frames, MP4 and the one reproducibility record (JSON, and inside each frame)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-out-'));
    const { summary } = await generateVideo({ prompt: 'a white triangle bouncing on a gray background', seed: 1, steps: 2, modelPath }, { output: { basePath: path.join(dir, 'clip') } });
    expect(fs.readFileSync(path.join(dir, 'clip.gif')).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(fs.readdirSync(path.join(dir, 'clip-frames'))).toHaveLength(16);
    const record = parseReproducibilityRecord(fs.readFileSync(path.join(dir, 'clip.json'), 'utf8'), 'clip.json');
    expect(record).toMatchObject({ seed: 1, prompt: 'a white triangle bouncing on a gray background', request: { steps: 2 }, run: { stepsRun: 2 } });
    expect(record.files.width).toBe(record.clip.width * record.files.scale);
    expect(JSON.stringify(record)).not.toContain(modelPath);
    const frame = fs.readFileSync(path.join(dir, 'clip-frames', 'frame-005.png'));
    expect(readPngText(frame, PNG_RECORD_KEYWORD).map((text) => parseReproducibilityRecord(text, 'frame 5'))).toEqual([record]);
    expect(summary.outputs.length).toBeGreaterThanOrEqual(3);
  });
});
