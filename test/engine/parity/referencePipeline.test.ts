import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { videoTensorToClip } from '../../../src/main/engine/output/frames';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { standardNormalNoise } from '../../../src/main/engine/sampler';
import { fixturePackage } from '../support/randomPackage';
import { maxAbsDiff } from '../support/tensorCompare';

/**
 * The engine's whole sampling loop (generateVideo: tokenizer → text units → CFG Euler steps with TDTM steps and the
 * LPL leap → decoder) against the PyTorch reference sampler (models/tools/sampler.py) on the built-in model's
 * architecture (random-d2: the stdit3 package format of models/shapes-tiny with random weights). The reference starts
 * from the engine's own seeded noise (models/tools/engine_noise.py) and its tensors are committed with the package
 * (test/fixtures/packages/random-d2/parity, `npm run fixtures`).
 *
 * Tolerances: the final latent within 1e-3 of the reference's largest magnitude (float32 ONNX vs PyTorch over up to
 * six steps; each unit alone agrees within 1e-4: unitParity.test.ts), the frames within one byte level.
 */
interface TensorFile { dtype: 'float32' | 'int64'; shape: number[]; file: string }
interface LoopCase { name: string; steps: number; tdtmMergedSteps: number; leapStep: number | null; latent: string; video: string }
interface PipelineFixture { prompt: string; seed: number; cfgScale: number; cases: LoopCase[]; tensors: Record<string, TensorFile> }

const LATENT_RELATIVE_TOLERANCE = 1e-3;
const FRAME_BYTE_TOLERANCE = 1;

const dir = fixturePackage('random-d2');
const parityDir = path.join(dir, 'parity');
const fixture = (JSON.parse(fs.readFileSync(path.join(parityDir, 'index.json'), 'utf8')) as { pipeline: PipelineFixture }).pipeline;

function readTensor(name: string): Float32Array | BigInt64Array {
  const { file, dtype } = fixture.tensors[name];
  const bytes = fs.readFileSync(path.join(parityDir, file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return dtype === 'int64' ? new BigInt64Array(buffer) : new Float32Array(buffer);
}
const floats = (name: string): Float32Array => readTensor(name) as Float32Array;
const largestMagnitude = (values: Float32Array): number => values.reduce((max, v) => Math.max(max, Math.abs(v)), 0);

describe('the engine\'s sampling loop against the PyTorch reference sampler (built-in model architecture)', () => {
  it('starts from the noise the reference starts from (the Python port of the seeded generator)', () => {
    const noise = floats('noise');
    expect(maxAbsDiff(standardNormalNoise(fixture.seed, noise.length), noise)).toBeLessThanOrEqual(1e-6);
  });

  it.each(fixture.cases.map((loopCase) => [loopCase.name, loopCase] as const))('%s: same tokens, final latent and frames', async (_name, loopCase) => {
    const { summary, latent, clip } = await generateVideo(
      {
        prompt: fixture.prompt,
        seed: fixture.seed,
        steps: loopCase.steps,
        cfgScale: fixture.cfgScale,
        tdtmMergedSteps: loopCase.tdtmMergedSteps,
        lpl: loopCase.leapStep === null ? { kind: 'off' } : { kind: 'fixed', leapStep: loopCase.leapStep },
        modelPath: dir,
      },
      { previews: false },
    );
    const ids = Array.from(readTensor('input_ids') as BigInt64Array, Number);
    expect(summary.promptTokens).toEqual(ids.slice(0, summary.promptTokens.length));
    expect(summary.leapStep).toBe(loopCase.leapStep);
    expect(summary.mergedSteps).toBe(loopCase.tdtmMergedSteps);

    const want = floats(loopCase.latent);
    const latentError = maxAbsDiff(latent, want) / largestMagnitude(want);
    console.info(`[reference loop] ${loopCase.name}: latent relative error ${latentError.toExponential(2)}`);
    expect(latentError).toBeLessThan(LATENT_RELATIVE_TOLERANCE);

    const [, , frames, height, width] = fixture.tensors[loopCase.video].shape;
    const reference = videoTensorToClip(floats(loopCase.video), { frames, height, width }, clip.fps);
    expect(clip.frames).toHaveLength(frames);
    const worstByte = Math.max(...clip.frames.map((frame, f) => maxAbsDiff(frame, reference.frames[f])));
    expect(worstByte).toBeLessThanOrEqual(FRAME_BYTE_TOLERANCE);
  });
});
