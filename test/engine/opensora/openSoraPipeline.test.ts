import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/shared/domain/generation';
import { EngineSession } from '../../../src/main/engine/pipeline/engineSession';
import { videoTensorToClip } from '../../../src/main/engine/output/frames';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { readMp4Facts } from '../../support/mp4Facts';
import { fixturePackage } from '../support/randomPackage';
import { maxAbsDiff } from '../support/tensorCompare';

const modelPath = fixturePackage('opensora-tiny');
const PROMPT = 'a cat walking in the snow';

/**
 * The whole loop's PyTorch reference (test/fixtures/opensora_reference.py, LOOP): the same generation with the
 * importer's modules from the engine's seeded noise; the final latent and three of the 51 frames. Tolerances: the
 * latent within 1e-3 of its largest magnitude, frames within one byte level.
 */
interface LoopReference {
  seed: number; steps: number; leapStep: number; tdtmMergedSteps: number; keptFrames: number[];
  latentTensor: string; keptFramesTensor: string;
}
const referenceDir = path.join(modelPath, 'reference');
const reference = JSON.parse(fs.readFileSync(path.join(referenceDir, 'reference.json'), 'utf8')) as {
  loop: LoopReference; tensors: Record<string, { file: string; shape: number[] }>;
};
function referenceTensor(name: string): { values: Float32Array; shape: number[] } {
  const bytes = fs.readFileSync(path.join(referenceDir, reference.tensors[name].file));
  return { values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), shape: reference.tensors[name].shape };
}

describe('Open-Sora 1.2 package (imported from small checkpoints) through generateVideo', () => {
  it('makes the PyTorch reference\'s 51-frame 256×144 clip at the 144p 16:9 preset with LPL, TDTM and the minimum budget, and writes the MP4', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opensora-out-'));
    const events: GenerationEvent[] = [];
    const loop = reference.loop;
    const { summary, clip, latent } = await generateVideo(
      {
        prompt: PROMPT,
        seed: loop.seed,
        steps: loop.steps,
        lpl: { kind: 'fixed', leapStep: loop.leapStep },
        tdtmMergedSteps: loop.tdtmMergedSteps,
        memoryBudget: { kind: 'min' },
        clip: { resolution: '144p', aspect: '16:9', frames: 51 },
        modelPath,
      },
      { onEvent: (event) => events.push(event), output: { basePath: path.join(dir, 'clip'), formats: ['mp4'] } },
    );
    expect(clip.frames).toHaveLength(51);
    expect([clip.width, clip.height, clip.fps]).toEqual([256, 144, 24]);
    expect(summary.settings).toMatchObject({ frames: 51, width: 256, height: 144, fps: 24, clip: { resolution: '144p', aspect: '16:9' } });
    expect(latent).toHaveLength(4 * 15 * 18 * 32);
    expect(summary.promptText).toBe('a cat walking in the snow aesthetic score: 6.5.');
    expect(summary.promptTokens.at(-1)).toBe(1);
    expect([summary.stepsRun, summary.leapStep, summary.mergedSteps]).toEqual([3, 2, 2]);
    const steps = events.filter((event) => event.kind === 'step');
    expect(steps.map((event) => event.kind === 'step' && event.merged)).toEqual([true, true, false]);
    const started = events.find((event) => event.kind === 'started');
    expect(started?.kind === 'started' && started.budgetBytes).toBe(started?.kind === 'started' && started.minimumBudgetBytes);
    expect(summary.peakResidentBytes).toBeLessThanOrEqual(summary.memoryBudgetBytes);
    const first = steps[0];
    expect(first.kind === 'step' && first.preview && [first.preview.frames, first.preview.width, first.preview.height]).toEqual([15, 32, 18]);
    const mp4 = await readMp4Facts(fs.readFileSync(path.join(dir, 'clip.mp4')));
    expect(mp4).toMatchObject({ codec: 'avc', width: 256, height: 144, packetCount: 51 });
    expect(JSON.parse(mp4.comment ?? '{}')).toMatchObject({ prompt: PROMPT, seed: loop.seed, clip: { frames: 51, width: 256, height: 144 } });
    const wantLatent = referenceTensor(loop.latentTensor).values;
    const largest = wantLatent.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    const latentError = maxAbsDiff(latent, wantLatent) / largest;
    console.info(`[open-sora loop] latent relative error ${latentError.toExponential(2)}`);
    expect(latentError).toBeLessThan(1e-3);
    const kept = referenceTensor(loop.keptFramesTensor);
    const [, keptCount, height, width] = kept.shape;
    const wantFrames = videoTensorToClip(kept.values, { frames: keptCount, height, width }, clip.fps).frames;
    loop.keptFrames.forEach((frameIndex, k) => {
      expect(maxAbsDiff(clip.frames[frameIndex], wantFrames[k]), `frame ${frameIndex}`).toBeLessThanOrEqual(1);
    });
  });

  it('streamed under the minimum budget gives the same clip as every unit resident', async () => {
    const request = { prompt: PROMPT, seed: 9, steps: 2, tdtmMergedSteps: 1, clip: { resolution: '144p', aspect: '1:1', frames: 1 }, modelPath };
    const resident = await generateVideo({ ...request, memoryBudget: { kind: 'all' } });
    const streamed = await generateVideo({ ...request, memoryBudget: { kind: 'min' } });
    expect(resident.clip.frames).toHaveLength(1);
    expect([resident.clip.width, resident.clip.height]).toEqual([192, 192]);
    expect(maxAbsDiff(streamed.latent, resident.latent)).toBe(0);
    expect(Buffer.from(streamed.clip.frames[0]).equals(Buffer.from(resident.clip.frames[0]))).toBe(true);
  });

  it('pads an odd latent width for the denoiser and crops it back (240p 16:9: latent 30 × 53 → 424 × 240 px)', async () => {
    const { clip, latent } = await generateVideo({ prompt: PROMPT, seed: 1, steps: 1, clip: { resolution: '240p', aspect: '16:9', frames: 1 }, modelPath });
    expect(latent).toHaveLength(4 * 1 * 30 * 53);
    expect([clip.width, clip.height, clip.frames.length]).toEqual([424, 240, 1]);
  });
});

describe('Open-Sora 1.2 in a warm engine', () => {
  it('a second job at another clip size reuses the text embedding and sessions, and makes the cold engine\'s frames', async () => {
    const session = new EngineSession({ persistent: true });
    try {
      const first = await generateVideo({ prompt: PROMPT, seed: 2, steps: 2, clip: { resolution: '144p', aspect: '16:9', frames: 1 }, modelPath }, { session });
      const events: GenerationEvent[] = [];
      const request = { prompt: PROMPT, seed: 5, steps: 2, clip: { resolution: '144p', aspect: '9:16', frames: 1 }, modelPath };
      const warm = await generateVideo(request, { session, onEvent: (event) => events.push(event) });
      const cold = await generateVideo(request);
      expect([first.clip.width, warm.clip.width, warm.clip.height]).toEqual([256, 144, 256]);
      expect(warm.summary.timingsMs.text).toBeLessThan(first.summary.timingsMs.text);
      const loadedDuringSteps = events.flatMap((event) => (event.kind === 'step' ? event.units.filter((unit) => unit.loadStartMs !== null) : []));
      expect(loadedDuringSteps).toEqual([]);
      expect(Buffer.from(warm.clip.frames[0]).equals(Buffer.from(cold.clip.frames[0]))).toBe(true);
    } finally {
      await session.releaseAll();
    }
  });
});

describe('Open-Sora clip choices that the package cannot make', () => {
  it('refuses an unknown resolution, aspect or frame count, naming the allowed values', async () => {
    await expect(generateVideo({ prompt: PROMPT, clip: { resolution: '1080p' }, modelPath })).rejects.toThrow(
      'Model opensora-tiny has no resolution "1080p"; choose one of 144p, 240p, 360p, 480p.',
    );
    await expect(generateVideo({ prompt: PROMPT, clip: { resolution: '144p', aspect: '4:3' }, modelPath })).rejects.toThrow(
      'Model opensora-tiny has no aspect "4:3" at 144p; choose one of 16:9, 9:16, 1:1.',
    );
    await expect(generateVideo({ prompt: PROMPT, clip: { frames: 50 }, modelPath })).rejects.toThrow(
      'Model opensora-tiny cannot make 50 frames; choose one of 1 (image), 51 (2s), 102 (4s).',
    );
    await expect(generateVideo({ prompt: PROMPT, clip: { aspect: 'wide' }, modelPath })).rejects.toThrow(/clip\.aspect: aspect must be width:height/);
  });

  it('refuses a clip choice for the built-in architecture, which makes one clip size', async () => {
    await expect(generateVideo({ prompt: 'a red circle', clip: { resolution: '144p' }, modelPath: fixturePackage('random-d2') })).rejects.toThrow(
      /makes one clip size \(16 frames, 32×32 px\) and has no resolution or aspect presets/,
    );
  });
});
