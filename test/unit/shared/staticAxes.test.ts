import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveClip } from '../../../src/shared/model/clipSize';
import { packageManifestSchema, type PackageManifest } from '../../../src/shared/model/manifest';
import { allManifestUnits } from '../../../src/shared/model/manifestUnits';
import { freeDimensionOverrides, stageAxisSizes, stageOfUnit } from '../../../src/shared/model/staticAxes';

/**
 * The free-dimension overrides each unit kind gets for a clip and a prompt length (shared/model/staticAxes.ts): the
 * engine's CoreML sessions and `coreml-report` both use them. Expected sizes are worked out by hand from
 * models/FORMAT.md and the manifests' presets.
 */
function manifestOf(dir: string): PackageManifest {
  return packageManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
}

function overridesById(manifest: PackageManifest, clip: ReturnType<typeof resolveClip>, textTokens: number): Record<string, Record<string, number>> {
  const stages = stageAxisSizes({ manifest, clip, textTokens });
  return Object.fromEntries(allManifestUnits(manifest).map((unit) => [unit.id, freeDimensionOverrides(unit, stages[stageOfUnit(unit.id)])]));
}

describe('static axis sizes per unit kind', () => {
  const opensora = manifestOf(path.resolve('test/fixtures/packages/opensora-tiny'));

  it('Open-Sora 1.2 at 144p 16:9, 51 frames (latent 15 × 18 × 32), a 12-token prompt', () => {
    const clip = resolveClip(opensora, { resolution: '144p', aspect: '16:9', frames: 51 });
    const byId = overridesById(opensora, clip, 12);
    expect(byId['text.embed']).toEqual({ B: 1, L: 12 });
    expect(byId['text.block.01']).toEqual({ B: 1, L: 12 });
    expect(byId['text.final']).toEqual({ B: 1, L: 12 });
    // The CFG pair; 9 × 16 patches of 2 × 2; TDTM's RoPE at ⌈15/2⌉ rows.
    expect(byId['denoiser.embedder']).toEqual({ B: 2, T: 15, H: 18, W: 32, S: 144, L: 12 });
    expect(byId['denoiser.block.00']).toEqual({ B: 2, T: 15, S: 144, L: 12 });
    expect(byId['denoiser.block.00.tdtm']).toEqual({ B: 2, T: 15, S: 144, L: 12, Tm: 8 });
    expect(byId['denoiser.final']).toEqual({ B: 2, T: 15, S: 144, H: 18, W: 32 });
    // Chunks of 5 latent frames; micro-batches of 4 frames; the encoder's padded chunk 5 · 4 = 20 image latents.
    expect(byId['vae.temporal']).toEqual({ B: 1, Tz: 5, H: 18, W: 32 });
    expect(byId['vae.spatial']).toEqual({ N: 4, H: 18, W: 32 });
    expect(byId['vae.spatial_encoder']).toEqual({ N: 4, Hpx: 144, Wpx: 256 });
    expect(byId['vae.temporal_encoder']).toEqual({ B: 1, Fz: 20, H: 18, W: 32 });
  });

  it('Open-Sora 1.2 at 240p 16:9, one frame: the latent is padded to the patch for the denoiser only, chunks and batches shrink to the clip', () => {
    const clip = resolveClip(opensora, { resolution: '240p', aspect: '16:9', frames: 1 });
    const byId = overridesById(opensora, clip, 30);
    expect(byId['denoiser.embedder']).toEqual({ B: 2, T: 1, H: 30, W: 54, S: 405, L: 30 });
    expect(byId['denoiser.block.00.tdtm']).toMatchObject({ T: 1, Tm: 1 });
    expect(byId['vae.temporal']).toEqual({ B: 1, Tz: 1, H: 30, W: 53 });
    expect(byId['vae.spatial']).toEqual({ N: 1, H: 30, W: 53 });
  });

  it('the built-in architecture: its T5 always reads maxTokens, the denoiser the real tokens, the decoder the whole latent', () => {
    const builtin = manifestOf(path.resolve('models/shapes-tiny'));
    const byId = overridesById(builtin, resolveClip(builtin, undefined), 7);
    const maxTokens = builtin.text.tokenizer.maxTokens;
    expect(byId['text.embed']).toEqual({ B: 1, L: maxTokens });
    expect(byId['denoiser.block.00']).toEqual({ B: 2, T: 16, S: 16, L: 7 });
    expect(byId['denoiser.block.00.tdtm']).toMatchObject({ Tm: 8 });
    expect(byId.decoder).toEqual({ B: 1, T: 16, H: 8, W: 8 });
  });

  it('an axis its stage does not size is refused by name', () => {
    const unit = { id: 'vae.spatial', inputs: [{ name: 'x_z', dtype: 'float32' as const, shape: ['Q', 4, 'H', 'W'] }] };
    expect(() => freeDimensionOverrides(unit, { H: 1, W: 1 })).toThrow(/input x_z has the symbolic axis Q/);
    expect(() => stageOfUnit('mystery')).toThrow(/mystery/);
  });
});
