import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPackageUnits } from '../../../src/main/engine/package/checkUnits';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';
import { locateBuiltinModel } from '../../../src/main/engine/paths';
import { weightsPaddingSlackBytes } from '../../../src/main/engine/runtime/ort';

/**
 * One rule for how much larger a weights file may be than its unit's sizeBytes (alignment padding): 64 KiB + 1 %
 * (weightsPaddingSlackBytes). The package check before a generation applies exactly that rule, no second one.
 */
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A copy of the shipped package whose decoder claims `sizeBytes(fileBytes)` bytes. */
function packageWithDecoderSize(sizeBytes: (fileBytes: number) => number): { dir: string; fileBytes: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-slack-'));
  copies.push(dir);
  fs.cpSync(locateBuiltinModel(), dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const fileBytes = fs.statSync(path.join(dir, manifest.decoder.unit.weightsFile)).size;
  manifest.decoder.unit.sizeBytes = sizeBytes(fileBytes);
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));
  return { dir, fileBytes };
}

describe('weights-size slack', () => {
  it('is 64 KiB plus 1 % of sizeBytes, rounded up', () => {
    expect(weightsPaddingSlackBytes(0)).toBe(65_536);
    expect(weightsPaddingSlackBytes(1_000_000)).toBe(75_536);
    expect(weightsPaddingSlackBytes(4_800_000_001)).toBe(65_536 + 48_000_001);
  });

  it('the package check accepts padding up to the slack and refuses one byte more', async () => {
    // The least sizeBytes still accepted: sizeBytes + slack(sizeBytes) ≥ file size.
    const leastAccepted = (fileBytes: number): number => {
      let size = fileBytes - weightsPaddingSlackBytes(fileBytes);
      while (size + weightsPaddingSlackBytes(size) < fileBytes) {
        size += 1;
      }
      return size;
    };
    const within = packageWithDecoderSize(leastAccepted);
    await expect(checkPackageUnits(readModelPackage(within.dir))).resolves.toBeUndefined();

    const beyond = packageWithDecoderSize((fileBytes) => leastAccepted(fileBytes) - 1);
    await expect(checkPackageUnits(readModelPackage(beyond.dir))).rejects.toThrow(/decoder\.weights: \d+ bytes, more than the unit's sizeBytes \d+ \(decoder\)/);
  });
});
