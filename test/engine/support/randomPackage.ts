import fs from 'node:fs';
import path from 'node:path';

/** The committed random-weight packages (test/fixtures/make_fixtures.py; test/fixtures/README.md). */
export type FixturePackageName = 'random-d2' | 'random-d4' | 'random-d2-f15' | 'opensora-tiny';

export const FIXTURE_PACKAGES_DIR = path.resolve(__dirname, '../../fixtures/packages');

/**
 * The folder of a committed random-weight model package, made by the real exporter (models/tools/export_package.py
 * --random) and checked against it by the model-tools suite. Read-only: a test that alters a package copies it first.
 *   random-d2      2 block pairs, 16 frames, with parity tensors (parity/index.json)
 *   random-d4      4 block pairs, 16 frames
 *   random-d2-f15  2 block pairs, 15 frames (odd T for TDTM)
 *   opensora-tiny  an Open-Sora 1.2 package imported from small checkpoints (test/fixtures/make_opensora_tiny.py)
 */
export function fixturePackage(name: FixturePackageName): string {
  const dir = path.join(FIXTURE_PACKAGES_DIR, name);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`Fixture package ${dir} is missing; regenerate it with \`npm run fixtures\`.`);
  }
  return dir;
}

