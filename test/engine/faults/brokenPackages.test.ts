import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/shared/domain/generation';
import { StudioError } from '../../../src/shared/ipc/errors';
import type { ModelManifest } from '../../../src/shared/model/manifest';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';

/** Broken copies of the shipped package (models/shapes-tiny): NaN weights, random bytes, contradicting manifests. */
const SHIPPED = path.resolve(__dirname, '../../../models/shapes-tiny');
if (!fs.existsSync(path.join(SHIPPED, 'manifest.json'))) {
  throw new Error(`${SHIPPED} is missing: these tests break copies of the shipped package.`);
}

function copyShipped(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-broken-'));
  fs.cpSync(SHIPPED, dir, { recursive: true });
  return dir;
}

/** Overwrites `count` float32 values of a weights file from `firstIndex` on with `value`. */
function poisonWeights(dir: string, file: string, value: number, firstIndex = 0, count = 64): void {
  const full = path.join(dir, file);
  const bytes = fs.readFileSync(full);
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  floats.fill(value, firstIndex, firstIndex + count);
  fs.writeFileSync(full, bytes);
}

function editManifest(dir: string, edit: (manifest: ModelManifest) => void): void {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelManifest;
  edit(manifest);
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
}

async function failure(run: Promise<unknown>): Promise<StudioError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the generation should have failed').toBeInstanceOf(StudioError);
  return error as StudioError;
}

const request = { prompt: 'a red circle moving left on a blue background', seed: 3, steps: 3 };

describe('broken weights never pass as success', () => {
  it('the package check flags a weights file holding NaN, naming the file, before any step', async () => {
    const dir = copyShipped();
    poisonWeights(dir, 'denoiser.block.01.weights', Number.NaN, 1000);
    const events: GenerationEvent[] = [];
    const error = await failure(generateVideo({ ...request, modelPath: dir }, { onEvent: (event) => events.push(event) }));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('denoiser.block.01.weights holds NaN (first at byte 4000)');
    expect(events.filter((event) => event.kind === 'step')).toHaveLength(0);
  });

  it('scans again when a weights file changes after a clean check (cached by size and mtime only)', async () => {
    const dir = copyShipped();
    await generateVideo({ ...request, steps: 1, modelPath: dir });
    poisonWeights(dir, 'denoiser.final.weights', Number.NaN, 5, 1);
    const error = await failure(generateVideo({ ...request, steps: 1, modelPath: dir }));
    expect(error.message).toContain('denoiser.final.weights holds NaN (first at byte 20)');
  });

  it('flags a weights file of random bytes, and infinities', async () => {
    const dir = copyShipped();
    const size = fs.statSync(path.join(dir, 'decoder.weights')).size;
    // Deterministic "random" bytes (xorshift32): as float32 some of them are NaN or infinite, as in any random file.
    const bytes = Buffer.alloc(size);
    let state = 0x9e3779b9;
    for (let i = 0; i < size; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[i] = state & 0xff;
    }
    fs.writeFileSync(path.join(dir, 'decoder.weights'), bytes);
    poisonWeights(dir, 'text.block.00.weights', Number.POSITIVE_INFINITY, 10, 1);
    const error = await failure(generateVideo({ ...request, modelPath: dir }));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/decoder\.weights holds (NaN|an infinite value)/);
    expect(error.message).toContain('text.block.00.weights holds an infinite value (first at byte 40)');
  });

  it('a NaN reaching the latent stops the job with NUMERIC_ERROR naming the step and the unit', async () => {
    const dir = copyShipped();
    poisonWeights(dir, 'denoiser.block.01.weights', Number.NaN);
    const events: GenerationEvent[] = [];
    // As if the weights changed after the package check: the per-step check is what stops it.
    const error = await failure(generateVideo({ ...request, modelPath: dir }, { checkUnits: false, onEvent: (event) => events.push(event) }));
    expect(error.code).toBe('NUMERIC_ERROR');
    expect(error.message).toMatch(/^denoiser\.block\.01 produced NaN in "x_out" \(element \d+\) at step 1 of the denoise stage/);
    expect(events.some((event) => event.kind === 'done')).toBe(false);
  });

  it('a decoder that makes NaN stops the job with NUMERIC_ERROR at the decode stage (no black clip)', async () => {
    const dir = copyShipped();
    poisonWeights(dir, 'decoder.weights', Number.NaN, 0, 100_000);
    const error = await failure(generateVideo({ ...request, modelPath: dir }, { checkUnits: false }));
    expect(error.code).toBe('NUMERIC_ERROR');
    expect(error.message).toMatch(/^decoder produced NaN in "video" .* of the decode stage/);
  });

  it('the unbroken package still generates (the checks pass on real weights)', async () => {
    const { summary, clip } = await generateVideo({ ...request, steps: 2, modelPath: SHIPPED });
    expect(summary.stepsRun).toBe(2);
    expect(clip.frames).toHaveLength(16);
  });
});

describe('manifest fields that contradict the graphs are refused before generating', () => {
  it('latent.channels 8 (the graphs take 4)', () => {
    const dir = copyShipped();
    editManifest(dir, (manifest) => (manifest.latent.channels = 8));
    expect(() => readModelPackage(dir)).toThrow(/latent\.channels is 8 but denoiser\.inChannels is 4/);
    expect(() => readModelPackage(dir)).toThrow(/latent\.channels is 8 but denoiser\.embedder\.onnx input "z" has 4 on axis 1/);
  });

  it('native.frames 17 (the decoder makes latent.frames × temporalFactor = 16)', async () => {
    const dir = copyShipped();
    editManifest(dir, (manifest) => (manifest.native.frames = 17));
    expect(() => readModelPackage(dir)).toThrow(/native\.frames is 17 but latent\.frames × decoder\.temporalFactor is 16/);
    const error = await failure(generateVideo({ ...request, modelPath: dir }));
    expect(error.code).toBe('MODEL_INVALID');
  });

  it('hidden sizes and caption channels that disagree with the unit specs', () => {
    const dir = copyShipped();
    editManifest(dir, (manifest) => {
      manifest.denoiser.hiddenSize = 128;
      manifest.denoiser.captionChannels = 32;
    });
    expect(() => readModelPackage(dir)).toThrow(/denoiser\.hiddenSize is 128 but denoiser\.embedder\.onnx output "x" has 96 on axis 3/);
    expect(() => readModelPackage(dir)).toThrow(/denoiser\.captionChannels is 32 but text\.final\.onnx output "text_emb" has 64 on axis 2/);
  });

  it('a manifest changed consistently (8 channels everywhere) still contradicts the graphs: refused by the graph check', async () => {
    const dir = copyShipped();
    editManifest(dir, (manifest) => {
      manifest.latent.channels = 8;
      manifest.denoiser.inChannels = 8;
      manifest.preview.factors = [...manifest.preview.factors, ...manifest.preview.factors];
      for (const unit of [manifest.denoiser.embedder, manifest.denoiser.final, manifest.decoder.unit]) {
        const z = unit.inputs.find((spec) => spec.name === 'z');
        if (z) {
          z.shape[1] = 8;
        }
      }
    });
    expect(readModelPackage(dir).manifest.latent.channels).toBe(8);
    const error = await failure(generateVideo({ ...request, modelPath: dir }));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('denoiser.embedder.onnx: input "z" shape: expected [B, 8, T, H, W], actual [B, 4, T, H, W]');
  });

  it('an invalid manifest.json is named without echoing its contents', () => {
    const dir = copyShipped();
    fs.writeFileSync(path.join(dir, 'manifest.json'), 'SECRET-TOKEN-1234 and more private text');
    let message = '';
    try {
      readModelPackage(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/manifest\.json is not valid JSON/);
    expect(message).not.toContain('SECRET');
  });
});
