import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allManifestUnits } from '../../../src/shared/model/manifestUnits';
import { unitPasses } from '../../../src/shared/model/unitPasses';
import { checkPackageFolder } from '../../../src/main/engine/package/checkUnits';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';
import { fixturePackage } from '../support/randomPackage';

const source = fixturePackage('opensora-tiny');

/** A writable copy of the package with its manifest edited. */
function copyWithManifest(edit: (manifest: Record<string, unknown>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opensora-pkg-'));
  fs.cpSync(source, dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));
  return dir;
}

describe('Open-Sora 1.2 package reading', () => {
  it('reads the imported package and walks its units: T5, STDiT3 with TDTM variants, both VAE stages', () => {
    const { manifest } = readModelPackage(source);
    const passes = unitPasses(manifest);
    expect(passes.text.map((unit) => unit.id)).toEqual(['text.embed', 'text.block.00', 'text.block.01', 'text.block.02', 'text.final']);
    expect(passes.denoiserMerged.map((unit) => unit.id)).toEqual(['denoiser.embedder', 'denoiser.block.00.tdtm', 'denoiser.block.01.tdtm', 'denoiser.final']);
    expect(passes.decoder.map((unit) => unit.id)).toEqual(['vae.temporal', 'vae.spatial']);
  });

  it('checks the VAE encoder units with the others, and reads a package without them (imported before they existed)', async () => {
    const ids = (dir: string) => allManifestUnits(readModelPackage(dir).manifest).map((unit) => unit.id);
    expect(ids(source).slice(-4)).toEqual(['vae.temporal', 'vae.spatial', 'vae.spatial_encoder', 'vae.temporal_encoder']);
    const without = copyWithManifest((manifest) => delete (manifest.vae as Record<string, unknown>).encoder);
    expect(ids(without).slice(-2)).toEqual(['vae.temporal', 'vae.spatial']);
    expect((await checkPackageFolder(without)).manifest.id).toBe('opensora-tiny');
    const renamed = copyWithManifest((manifest) => {
      const vae = manifest.vae as { encoder: { temporal: { outputs: Array<{ name: string }> } } };
      vae.encoder.temporal.outputs[0].name = 'latent';
    });
    await expect(checkPackageFolder(renamed)).rejects.toThrow(/vae\.temporal_encoder.*latent/);
  });

  it('refuses a manifest of another schema version, without an architecture, or of an unknown architecture, saying what to do', () => {
    expect(() => readModelPackage(copyWithManifest((manifest) => (manifest.schemaVersion = 0)))).toThrow(
      /schema version 0; this studio reads version 1: make the package again with this version of the studio \(Open-Sora 1\.2: npm run import-model/,
    );
    expect(() => readModelPackage(copyWithManifest((manifest) => delete manifest.architecture))).toThrow(/names no architecture \(an older package\): make the package again/);
    expect(() => readModelPackage(copyWithManifest((manifest) => (manifest.architecture = 'opensora-2.0')))).toThrow(
      'manifest.json names the architecture "opensora-2.0", which this studio cannot run (it runs stdit3, opensora-1.2).',
    );
  });

  it('refuses a package whose ONNX does not match its manifest, naming the unit and tensor', async () => {
    const dir = copyWithManifest((manifest) => {
      const vae = manifest.vae as { spatial: { unit: { outputs: Array<{ name: string }> } } };
      vae.spatial.unit.outputs[0].name = 'pixels';
    });
    await expect(generateVideo({ prompt: 'a cat', steps: 1, clip: { frames: 1 }, modelPath: dir })).rejects.toThrow(
      /Model package opensora-tiny does not match its manifest: .*vae\.spatial.*pixels/,
    );
  });

  it('refuses a package without its tokenizer model', () => {
    const dir = copyWithManifest(() => undefined);
    fs.rmSync(path.join(dir, 'spiece.model'));
    expect(() => readModelPackage(dir)).toThrow('Model package opensora-tiny is incomplete: tokenizer model file spiece.model is missing.');
  });
});
