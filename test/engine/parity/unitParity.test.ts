import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema } from '../../../src/shared/model/manifest';
import { parityFailures, readParityIndex, type ParityIndex } from '../support/parityFixtures';
import { fixturePackage } from '../support/randomPackage';

/**
 * Every exported ONNX unit of a random-weight package against PyTorch on the same inputs (max abs error ≤ 1e-4),
 * including the TDTM variants against an explicit merge → attention → unmerge reference at odd and even T. The
 * PyTorch outputs were written by the exporter (--parity) into the committed package test/fixtures/packages/random-d2;
 * the model-tools suite checks that the exporter still writes exactly these files.
 */
describe('model package parity (ONNX vs PyTorch)', () => {
  let dir = '';
  let index: ParityIndex;

  beforeAll(() => {
    dir = fixturePackage('random-d2');
    index = readParityIndex(path.join(dir, 'parity'));
  });

  it('writes a manifest that the schema accepts, with one TDTM variant per block pair sharing its weights', () => {
    const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.denoiser.blocks.length).toBe(manifest.denoiser.depth);
    for (const pair of manifest.denoiser.blocks) {
      expect(pair.tdtm.weightsFile).toBe(pair.unit.weightsFile);
      expect(pair.tdtm.id).toBe(`${pair.unit.id}.tdtm`);
    }
    expect(manifest.text.blocks.length).toBeGreaterThanOrEqual(2);
    const nullBytes = fs.statSync(path.join(dir, manifest.nullCaption.file)).size;
    expect(nullBytes).toBe(manifest.nullCaption.shape[0] * manifest.nullCaption.shape[1] * 4);
  });

  it('covers every unit, TDTM at an odd and an even temporal length', () => {
    const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    const ids = [manifest.text.embed, ...manifest.text.blocks, manifest.text.final, manifest.denoiser.embedder, ...manifest.denoiser.blocks.flatMap((b) => [b.unit, b.tdtm]), manifest.denoiser.final, manifest.decoder.unit].map((u) => u.id);
    const covered = new Set(index.cases.map((c) => c.unit));
    for (const id of ids) {expect(covered.has(id), id).toBe(true);}
    const tdtmLengths = index.cases.filter((c) => c.unit.endsWith('.tdtm')).map((c) => c.inputs.find((t) => t.name === 'x')!.shape[1]);
    expect(tdtmLengths.some((t) => t % 2 === 1)).toBe(true);
    expect(tdtmLengths.some((t) => t % 2 === 0)).toBe(true);
  });

  it('matches PyTorch on every unit within 1e-4', async () => {
    expect(await parityFailures(dir, path.join(dir, 'parity'), index)).toEqual([]);
  });
});
