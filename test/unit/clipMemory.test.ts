import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipMemoryTable, estimateActivationBytes } from '../../src/shared/model/clipMemory';
import { latentFramesFor, resolveClip } from '../../src/shared/model/clipSize';
import { packageManifestSchema } from '../../src/shared/model/manifest';

const manifest = packageManifestSchema.parse(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/packages/opensora-tiny/manifest.json'), 'utf8')));

describe('clip sizes of an Open-Sora package', () => {
  it('maps video frames to latent frames as the chunked causal VAE does (1 → 1, 51 → 15, 102 → 30, 18 → 6)', () => {
    const chunk = { chunkFrames: 17, chunkLatentFrames: 5, timeFactor: 4 };
    expect([1, 17, 18, 51, 102].map((frames) => latentFramesFor(frames, chunk))).toEqual([1, 5, 6, 15, 30]);
  });

  it('resolves presets to output, conditioning and latent sizes (240p 16:9 → 424 × 240 out of a 426 × 240 preset)', () => {
    expect(resolveClip(manifest, undefined)).toMatchObject({ resolution: '144p', aspect: '16:9', frames: 51, width: 256, height: 144, conditioningFps: 24, latent: { frames: 15, height: 18, width: 32 } });
    expect(resolveClip(manifest, { resolution: '240p', frames: 1 })).toMatchObject({ width: 424, height: 240, conditioningWidth: 426, conditioningHeight: 240, conditioningFps: 120, latent: { frames: 1, height: 30, width: 53 } });
  });
});

describe('activation estimate per clip size', () => {
  it('lists every preset combination once, the default first', () => {
    const table = clipMemoryTable(manifest);
    expect(table).toHaveLength(4 * 3 * 3);
    expect(new Set(table.map((entry) => entry.key)).size).toBe(36);
    expect(table[0]).toMatchObject({ key: '144p|16:9|51', frames: 51, width: 256, height: 144 });
  });

  it('follows the documented shapes: 144p 16:9 × 51 on a 32-wide, 2-head STDiT3 (15 frames × 144 patches)', () => {
    const bytes = estimateActivationBytes(manifest, resolveClip(manifest, { resolution: '144p', aspect: '16:9', frames: 51 }));
    const tokens = 2 * 15 * 144;
    expect(bytes.denoiser).toBe(4 * (tokens * 32 * 14 + 2 * 15 * 2 * 144 * 144));
    expect(bytes.denoiserMerged).toBe(4 * (tokens * 32 * 14 + 2 * 8 * 2 * 144 * 144));
    // Image VAE, 4 frames per call, widths 32 at every level: the full-resolution level is the largest.
    expect(bytes.decoder).toBe(4 * 2 * 4 * 32 * 144 * 256);
  });

  it('grows with resolution and duration', () => {
    const at = (resolution: string, frames: number): number => estimateActivationBytes(manifest, resolveClip(manifest, { resolution, aspect: '16:9', frames })).denoiser;
    expect(at('144p', 1)).toBeLessThan(at('144p', 51));
    expect(at('144p', 51)).toBeLessThan(at('144p', 102));
    expect(at('144p', 102)).toBeLessThan(at('240p', 102));
    expect(at('360p', 102)).toBeLessThan(at('480p', 102));
  });

});
