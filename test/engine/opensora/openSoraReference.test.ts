import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveClip } from '../../../src/shared/model/clipSize';
import { openVideoModel } from '../../../src/main/engine/models';
import { decodeVideo } from '../../../src/main/engine/models/opensora/vaeDecoder';
import { jobPasses } from '../../../src/main/engine/models/streamUnits';
import { readModelPackage, type ModelPackage } from '../../../src/main/engine/package/modelPackage';
import { UnitStreamer } from '../../../src/main/engine/streaming/unitStreamer';
import { fixturePackage } from '../support/randomPackage';
import { maxAbsDiff } from '../support/tensorCompare';

/**
 * The engine's Open-Sora pipeline against PyTorch (test/fixtures/opensora_reference.py: the importer's module
 * mirrors and the whole STDiT3 on the checkpoints the package was imported from, upstream's padding, chunking and
 * micro-batching): the text embedding, one CFG denoiser evaluation at two presets, and a VAE decode.
 */
interface Reference {
  prompt: string;
  preparedText: string;
  promptTokens: number[];
  timestep: number;
  denoiser: Array<{ name: string; latent: number[]; frames: number; z: string; v: string; vReference?: string }>;
  vae: { latent: string; frames: number; video: string };
  tensors: Record<string, { file: string; shape: number[] }>;
}

const TOLERANCE = 1e-4;
const dir = fixturePackage('opensora-tiny');
const referenceDir = path.join(dir, 'reference');
const reference = JSON.parse(fs.readFileSync(path.join(referenceDir, 'reference.json'), 'utf8')) as Reference;

function tensor(name: string): Float32Array {
  const bytes = fs.readFileSync(path.join(referenceDir, reference.tensors[name].file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('Open-Sora 1.2 engine pipeline vs PyTorch (opensora-tiny)', () => {
  let pkg: ModelPackage;
  let streamer: UnitStreamer;
  beforeAll(() => {
    pkg = readModelPackage(dir);
    streamer = new UnitStreamer({ budget: { kind: 'all' } });
  });
  afterAll(async () => {
    await streamer.dispose();
  });

  // Symbolic sessions (the CPU EP's) and static-shape sessions (what the CoreML EP gets: shared/model/staticAxes.ts)
  // compute the same.
  it.each([false, true])('prepares and tokenizes the prompt as upstream, encodes it with T5 and runs STDiT3 at two presets within 1e-4 (static shapes: %s)', async (staticShapes) => {
    const aspects = { '144p-16x9-51': { resolution: '144p', aspect: '16:9' }, '240p-16x9-1': { resolution: '240p', aspect: '16:9' } } as const;
    for (const denoiserCase of reference.denoiser) {
      const clip = resolveClip(pkg.manifest, { ...aspects[denoiserCase.name as keyof typeof aspects], frames: denoiserCase.frames });
      expect([clip.latent.channels, clip.latent.frames, clip.latent.height, clip.latent.width]).toEqual(denoiserCase.latent);
      const model = await openVideoModel(pkg, clip, { staticShapes });
      const prompt = model.tokenize(reference.prompt);
      expect(prompt.text).toBe(reference.preparedText);
      expect(Array.from(prompt.ids.subarray(0, prompt.length), Number)).toEqual(reference.promptTokens);
      const conditioning = await model.encodeText(streamer, prompt);
      const channels = pkg.manifest.text.hiddenSize;
      expect(maxAbsDiff(conditioning.captions.subarray(0, prompt.length * channels), tensor('text_emb'))).toBeLessThan(TOLERANCE);

      const velocityOf = async (frameMask?: Uint8Array): Promise<Float32Array> => {
        const { velocity } = await model.predictVelocity(streamer, { conditioning, latent: tensor(denoiserCase.z), timestep: reference.timestep, step: 0, merged: false, frameMask });
        const plane = velocity.length / (2 * model.velocityChannels);
        const firstFour = new Float32Array(2 * 4 * plane);
        for (let sample = 0; sample < 2; sample++) {
          firstFour.set(velocity.subarray(sample * model.velocityChannels * plane, (sample * model.velocityChannels + 4) * plane), sample * 4 * plane);
        }
        return firstFour;
      };
      const relativeError = (got: Float32Array, expected: Float32Array): number => maxAbsDiff(got, expected) / Math.max(1, ...Array.from(expected, Math.abs));
      const plain = await velocityOf();
      expect(relativeError(plain, tensor(denoiserCase.v)), denoiserCase.name).toBeLessThan(TOLERANCE);
      if (denoiserCase.vReference) {
        // Every frame a reference (x_mask False): t = 0 modulation in every block, the final layer's rows modulated twice.
        const masked = await velocityOf(new Uint8Array(clip.latent.frames));
        const expected = tensor(denoiserCase.vReference);
        expect(relativeError(masked, expected), `${denoiserCase.name} as reference frames`).toBeLessThan(TOLERANCE);
        expect(relativeError(plain, expected)).toBeGreaterThan(100 * TOLERANCE);
      }
    }
  });

  it.each([false, true])('decodes a two-chunk latent (the second chunk partial) through the temporal and spatial VAE units within 1e-4 (static shapes: %s)', async (staticShapes) => {
    if (pkg.manifest.architecture !== 'opensora-1.2') {
      throw new Error('opensora-tiny is not an Open-Sora package');
    }
    const [channels, latentFrames, height, width] = reference.tensors[reference.vae.latent].shape;
    // Static: sized for full chunks and micro-batches of the clip, so the partial chunk gets its own session and the
    // last micro-batch is padded.
    const clip = { ...resolveClip(pkg.manifest, undefined), frames: reference.vae.frames, latent: { channels, frames: latentFrames, height, width } };
    const passes = jobPasses(pkg, clip, staticShapes)(1);
    expect(passes.decoder[1].freeDimensionOverrides).toEqual(staticShapes ? { N: 4, H: height, W: width } : undefined);
    const decoded = await decodeVideo(streamer, { temporal: passes.decoder[0], spatial: passes.decoder[1] }, pkg.manifest.vae, {
      latent: tensor(reference.vae.latent),
      channels,
      latentFrames,
      height,
      width,
      frames: reference.vae.frames,
    });
    expect([3, decoded.frames, decoded.height, decoded.width]).toEqual(reference.tensors[reference.vae.video].shape);
    expect(decoded.passes).toHaveLength(2 + Math.ceil(reference.vae.frames / pkg.manifest.vae.spatial.microBatch));
    expect(maxAbsDiff(decoded.video, tensor(reference.vae.video))).toBeLessThan(TOLERANCE);
  });
});
