import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestSchema, type ModelUnit } from '../../../src/shared/model/manifest';
import { readmeQualityPhrases } from './qualityPromises';
import { shippedModelDir } from './shippedModel';

/** The committed default package (models/shapes-tiny) is complete, schema-valid and small enough to ship. */
const MAX_PACKAGE_BYTES = 20 * 1000 * 1000; // issue 13: the package stays at most 20 MB
const README = path.resolve(__dirname, '../../../README.md');

describe('README.md states the quality promises the shipped-model test holds', () => {
  it.each(readmeQualityPhrases())('"%s"', (phrase) => {
    expect(fs.readFileSync(README, 'utf8').replace(/\s+/g, ' ')).toContain(phrase);
  });
});

describe('models/shapes-tiny', () => {
  const PACKAGE_DIR = shippedModelDir();
  const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'manifest.json'), 'utf8')));
  const units = (): ModelUnit[] => [
    manifest.text.embed, ...manifest.text.blocks, manifest.text.final,
    manifest.denoiser.embedder, ...manifest.denoiser.blocks.flatMap((b) => [b.unit, b.tdtm]), manifest.denoiser.final,
    manifest.decoder.unit,
  ];

  it('has every file the manifest names, with weights at least sizeBytes long', () => {
    for (const unit of units()) {
      expect(fs.existsSync(path.join(PACKAGE_DIR, unit.file)), unit.file).toBe(true);
      const weights = fs.statSync(path.join(PACKAGE_DIR, unit.weightsFile!)).size;
      expect(weights, unit.id).toBeGreaterThanOrEqual(unit.sizeBytes);
    }
    expect(fs.existsSync(path.join(PACKAGE_DIR, manifest.nullCaption.file))).toBe(true);
    if (manifest.text.tokenizer.kind === 'word') {
      const vocab = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, manifest.text.tokenizer.vocabFile), 'utf8')) as string[];
      expect(vocab.length).toBeGreaterThan(manifest.text.tokenizer.endId);
    }
  });

  it('is at most 20 MB and records how it was trained', () => {
    const total = fs.readdirSync(PACKAGE_DIR).reduce((sum, f) => sum + fs.statSync(path.join(PACKAGE_DIR, f)).size, 0);
    expect(total).toBeLessThanOrEqual(MAX_PACKAGE_BYTES);
    expect(manifest.training?.steps).toBeGreaterThan(0);
    expect(manifest.training?.heldOut.length).toBeGreaterThan(0);
  });

  it('shares each block pair\'s weight file with its TDTM variant and keeps T symbolic', () => {
    for (const pair of manifest.denoiser.blocks) {
      expect(pair.tdtm.weightsFile).toBe(pair.unit.weightsFile);
      expect(pair.unit.inputs.find((i) => i.name === 'x')!.shape[1]).toBe('T');
    }
  });
});
