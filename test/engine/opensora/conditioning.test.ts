import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/shared/domain/generation';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { parseMaskStrategy } from '../../../src/main/engine/sampler/maskStrategy';
import { fixturePackage } from '../support/randomPackage';
import { maxAbsDiff } from '../support/tensorCompare';

/**
 * Reference-frame conditioning against PyTorch (test/fixtures/opensora_reference.py, CONDITIONED): Open-Sora
 * v1.2.0's mask strategy and masked sampler written out with the importer's STDiT3 module (x_mask per frame in
 * every block and the final layer), from the engine's seeded noise, with CFG, TDTM and the LPL leap. The strategy
 * holds a fixed reference frame (r = 0), three frames with edit ratio 0.7 (noised at the third step, t ≈ 592) and
 * an entry of another loop (skipped).
 */
interface ConditionedReference {
  seed: number; steps: number; cfgScale: number; strategy: string; latent: number[]; frames: number; references: string[];
  variants: Array<{ name: string; tdtmMergedSteps: number; leapStep: number | null; latentTensor: string }>;
}
const modelPath = fixturePackage('opensora-tiny');
const referenceDir = path.join(modelPath, 'reference');
const reference = JSON.parse(fs.readFileSync(path.join(referenceDir, 'reference.json'), 'utf8')) as {
  prompt: string; conditioned: ConditionedReference; tensors: Record<string, { file: string; shape: number[] }>;
};
function tensor(name: string): { values: Float32Array; shape: number[] } {
  const bytes = fs.readFileSync(path.join(referenceDir, reference.tensors[name].file));
  return { values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), shape: reference.tensors[name].shape };
}
/** Frame f of a [C, T, H, W] latent, every channel. */
function frameOf(latent: Float32Array, frames: number, f: number): Float32Array {
  const plane = latent.length / (4 * frames);
  const out = new Float32Array(4 * plane);
  for (let c = 0; c < 4; c++) {
    out.set(latent.subarray((c * frames + f) * plane, (c * frames + f + 1) * plane), c * plane);
  }
  return out;
}

describe('reference frames (Open-Sora v1.2.0 mask strategy) through generateVideo', () => {
  const conditioned = reference.conditioned;
  const references = conditioned.references.map((name) => {
    const { values, shape } = tensor(name);
    return { latent: values, frames: shape[1] };
  });
  const frames = conditioned.latent[0];

  for (const variant of conditioned.variants) {
    it(`matches the PyTorch masked sampler (${variant.name}: TDTM on ${variant.tdtmMergedSteps} steps, leap ${variant.leapStep ?? 'none'})`, async () => {
      const events: GenerationEvent[] = [];
      const { summary, latent } = await generateVideo(
        {
          prompt: reference.prompt,
          seed: conditioned.seed,
          steps: conditioned.steps,
          cfgScale: conditioned.cfgScale,
          lpl: variant.leapStep === null ? { kind: 'off' } : { kind: 'fixed', leapStep: variant.leapStep },
          tdtmMergedSteps: variant.tdtmMergedSteps,
          clip: { resolution: '144p', aspect: '16:9', frames: conditioned.frames },
          modelPath,
        },
        { references: { latents: references, strategy: parseMaskStrategy(conditioned.strategy) }, previews: false, onEvent: (event) => events.push(event) },
      );
      expect(summary.stepsRun).toBe(variant.leapStep === null ? conditioned.steps : variant.leapStep + 1);
      expect(events.filter((event) => event.kind === 'step' && event.merged)).toHaveLength(Math.min(variant.tdtmMergedSteps, summary.stepsRun));
      const want = tensor(variant.latentTensor).values;
      const largest = want.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
      const error = maxAbsDiff(latent, want) / largest;
      console.info(`[conditioned ${variant.name}] latent relative error ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-3);
      // r = 0: the reference's frame, bit for bit, after every step (and the leap).
      expect(frameOf(latent, frames, 0)).toEqual(frameOf(references[0].latent, 1, 0));
      // r = 0.7: fixed while t > 700 (the leap at step 1 comes before t ≤ 700), changed after it is noised.
      const edited = [0, 1, 2].map((k) => maxAbsDiff(frameOf(latent, frames, frames - 3 + k), frameOf(references[1].latent, 4, 1 + k)));
      if (variant.leapStep === 1) {
        expect(edited).toEqual([0, 0, 0]);
      } else {
        expect(Math.min(...edited)).toBeGreaterThan(1e-2);
      }
    });
  }

  it('refuses reference frames on a model whose architecture cannot take them, before any step', async () => {
    const events: GenerationEvent[] = [];
    const run = generateVideo(
      { prompt: 'a red ball', steps: 2, modelPath: fixturePackage('random-d2') },
      { references: { latents: references, strategy: parseMaskStrategy('0') }, onEvent: (event) => events.push(event) },
    );
    await expect(run).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/trained on text alone: it cannot start from an image or extend a clip/) });
    expect(events.filter((event) => event.kind === 'step')).toEqual([]);
  });
});
