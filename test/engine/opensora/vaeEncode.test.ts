import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenSoraManifest } from '../../../src/shared/model/manifest';
import { unitPasses } from '../../../src/shared/model/unitPasses';
import { loadedUnitBytes } from '../../../src/shared/model/memoryPlan';
import { streamUnitOf } from '../../../src/main/engine/models/streamUnits';
import { encodeFrames, latentFramesFor, type EncodedLatent } from '../../../src/main/engine/models/opensora/vaeEncoder';
import { readModelPackage, type ModelPackage } from '../../../src/main/engine/package/modelPackage';
import { UnitStreamer } from '../../../src/main/engine/streaming/unitStreamer';
import { fixturePackage } from '../support/randomPackage';
import { maxAbsDiff } from '../support/tensorCompare';

/**
 * The VAE encoder units of the Open-Sora test package against PyTorch: test/fixtures/opensora_reference.py runs
 * upstream's VideoAutoencoderPipeline.encode (v1.2.0) with the whole VAE module on committed uint8 frames (posterior
 * means, micro-batches of 4 frames, 17-frame chunks padded in front to a multiple of 4, then (z − shift) / scale).
 * Random weights: the latents are compared, not judged; a decode of them would show nothing about quality.
 */
interface EncodeCase {
  name: string;
  frames: string;
  latent: string;
}
interface Reference {
  encode: EncodeCase[];
  tensors: Record<string, { file: string; shape: number[] }>;
}

/** Absolute, on latents of magnitude ≈ 1–3 (the units match PyTorch to a few 1e-6). */
const TOLERANCE = 1e-4;
const dir = fixturePackage('opensora-tiny');
const referenceDir = path.join(dir, 'reference');
const reference = JSON.parse(fs.readFileSync(path.join(referenceDir, 'reference.json'), 'utf8')) as Reference;

function bytes(name: string): Buffer {
  return fs.readFileSync(path.join(referenceDir, reference.tensors[name].file));
}
function floats(name: string): Float32Array {
  const data = bytes(name);
  return new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

describe('Open-Sora 1.2 VAE encode vs PyTorch (opensora-tiny)', () => {
  let pkg: ModelPackage & { manifest: OpenSoraManifest };
  let units: { spatial: ReturnType<typeof streamUnitOf>; temporal: ReturnType<typeof streamUnitOf> };
  const streamers: UnitStreamer[] = [];
  const streamer = (budgetBytes?: number): UnitStreamer => {
    const made = new UnitStreamer({ budget: budgetBytes === undefined ? { kind: 'all' } : { kind: 'bytes', bytes: budgetBytes } });
    streamers.push(made);
    return made;
  };
  beforeAll(() => {
    const read = readModelPackage(dir);
    if (read.manifest.architecture !== 'opensora-1.2' || !read.manifest.vae.encoder) {
      throw new Error('opensora-tiny has no VAE encoder units');
    }
    pkg = read as typeof pkg;
    const [spatial, temporal] = unitPasses(pkg.manifest).encoder.map((unit) => streamUnitOf(pkg, unit));
    units = { spatial, temporal };
  });
  afterAll(async () => {
    await Promise.all(streamers.map((s) => s.dispose()));
  });

  const encode = (s: UnitStreamer, c: EncodeCase): Promise<EncodedLatent> => {
    const [frameCount, height, width] = reference.tensors[c.frames].shape;
    const data = bytes(c.frames);
    return encodeFrames(s, units, pkg.manifest.vae, { frames: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), frameCount, channels: 4, height, width });
  };

  it('lists the encoder units in the order they run, and none for a package without them', () => {
    expect(unitPasses(pkg.manifest).encoder.map((unit) => unit.id)).toEqual(['vae.spatial_encoder', 'vae.temporal_encoder']);
    expect(pkg.manifest.vae.encoder?.posterior).toBe('mean');
    const { encoder: _dropped, ...withoutEncoder } = pkg.manifest.vae;
    expect(unitPasses({ ...pkg.manifest, vae: withoutEncoder }).encoder).toEqual([]);
    expect(unitPasses(readModelPackage(fixturePackage('random-d2')).manifest).encoder).toEqual([]);
  });

  it('maps frame counts to latent frames as upstream (17 → 5 per chunk, a partial chunk ⌈f/4⌉)', () => {
    expect([1, 16, 17, 18, 34, 51, 60, 102].map((f) => latentFramesFor(f, 17, 4))).toEqual([1, 4, 5, 6, 10, 15, 18, 30]);
  });

  it('encodes an 18-frame clip (17 + 1 frames in two chunks) and one image of 60 × 44 pixels to the reference latents within 1e-4', async () => {
    const s = streamer();
    for (const c of reference.encode) {
      const encoded = await encode(s, c);
      const [, channels, latentFrames, height, width] = reference.tensors[c.latent].shape;
      expect([encoded.channels, encoded.latentFrames, encoded.height, encoded.width], c.name).toEqual([channels, latentFrames, height, width]);
      const [frameCount] = reference.tensors[c.frames].shape;
      // one pass per micro-batch of 4 frames, one per 17-frame chunk
      expect(encoded.passes, c.name).toHaveLength(Math.ceil(frameCount / 4) + Math.ceil(frameCount / 17));
      expect(maxAbsDiff(encoded.latent, floats(c.latent)), c.name).toBeLessThan(TOLERANCE);
    }
    expect(reference.encode.map((c) => reference.tensors[c.latent].shape)).toEqual([
      [1, 4, 6, 6, 8],
      [1, 4, 1, 5, 7],
    ]);
    expect(s.loadedUnitIds()).toEqual([]); // each stage's unit is released when the stage is done
  });

  it('gives the same latent streamed under a budget that holds one encoder unit at a time', async () => {
    const largest = loadedUnitBytes(Math.max(...unitPasses(pkg.manifest).encoder.map((unit) => unit.sizeBytes)));
    const s = streamer(largest);
    const c = reference.encode[0];
    const encoded = await encode(s, c);
    // the image encoder is released before the temporal encoder loads: never both at once
    expect(s.peakResidentBytes).toBe(largest);
    expect(maxAbsDiff(encoded.latent, floats(c.latent))).toBeLessThan(TOLERANCE);
  });

  it('refuses frames whose bytes do not match their size, or smaller than the VAE\'s 8 × 8', async () => {
    const s = streamer();
    const request = { frames: new Uint8Array(2 * 16 * 16 * 3), frameCount: 2, channels: 4, height: 16, width: 16 };
    await expect(encodeFrames(s, units, pkg.manifest.vae, { ...request, frameCount: 3 })).rejects.toThrow('The frames to encode hold 1536 bytes; 3 RGB frames of 16 × 16 are 2304.');
    await expect(encodeFrames(s, units, pkg.manifest.vae, { ...request, frames: new Uint8Array(2 * 4 * 16 * 3), height: 4 })).rejects.toThrow(
      'Frames of 16 × 4 pixels are too small to encode: the VAE needs at least 8 × 8.',
    );
    await expect(encodeFrames(s, units, pkg.manifest.vae, { ...request, frameCount: 0 })).rejects.toThrow('The frames to encode need a positive whole frameCount; got 0.');
  });
});
