import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReproducibilityRecord, PNG_RECORD_KEYWORD, type ReproducibilityRecord } from '../../src/shared/domain/reproducibilityRecord';
import { readMp4Facts } from '../support/mp4Facts';
import { readPngText } from '../support/pngText';

/**
 * `npm run generate -- … --image / --extend` as built (`npm test` builds first): the real engine process, the
 * Open-Sora test package, one data folder for the whole file so that --extend can name a run of the history.
 * That the conditioned latent frames are the encoder's latent is checked through the engine in
 * test/engine/opensora/referenceFiles.test.ts; here the CLI's options, record and refusals.
 */
const cli = path.resolve('out/main/cli.js');
const model = path.resolve('test/fixtures/packages/opensora-tiny');
let dataDir: string;
let work: string;

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // Runs with --no-history write to ./outputs: the scratch folder, never the checkout.
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', timeout: 240_000, env: { ...process.env, STUDIO_DATA_DIR: dataDir } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeImage(file: string, width: number, height: number): void {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    png.data.set([(p * 7) % 256, (p >> 3) % 256, 128, 255], p * 4);
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

interface CliSummary {
  frames: number; width: number; height: number; runId: string; outputs: string[]; warnings: string[];
  conditioning: { kind: string; source: string; strength: number; editRatio: number; latentFrames: number; pixelFrames: number } | null;
}

/** The record in the run's clip.json, which must be the one in its MP4's comment and in its first PNG frame. */
async function recordOf(summary: CliSummary): Promise<ReproducibilityRecord> {
  const json = summary.outputs.find((file) => file.endsWith('.json')) as string;
  const record = parseReproducibilityRecord(fs.readFileSync(json, 'utf8'), json);
  const framesDir = summary.outputs.find((file) => file.endsWith('-frames')) as string;
  const firstFrame = fs.readdirSync(framesDir).sort()[0];
  expect(readPngText(fs.readFileSync(path.join(framesDir, firstFrame)), PNG_RECORD_KEYWORD).map((text) => JSON.parse(text) as unknown)).toEqual([record]);
  const mp4 = summary.outputs.find((file) => file.endsWith('.mp4')) as string;
  expect(JSON.parse((await readMp4Facts(fs.readFileSync(mp4))).comment as string)).toEqual(record);
  return record;
}

describe('npm run generate with reference frames (CLI)', () => {
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-ref-data-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-ref-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('--image makes a 51-frame clip from a picture, and --extend RUN_ID continues that run from its last 17 frames', async () => {
    const image = path.join(work, 'F.png');
    writeImage(image, 300, 200); // 3:2 into 16:9: scaled to 256 × 171, 16 % of its height cut
    const made = runCli(['a cat walking in the snow', '--model', model, '--image', image, '--resolution', '144p', '--frames', '51', '--steps', '4', '--seed', '5', '--json']);
    expect(made.status, made.stderr).toBe(0);
    const first = JSON.parse(made.stdout) as CliSummary;
    expect([first.frames, first.width, first.height]).toEqual([51, 256, 144]);
    expect(first.conditioning).toEqual({ kind: 'image', source: 'F.png', strength: 1, editRatio: 0, latentFrames: 1, pixelFrames: 1 });
    // The record beside the clip, in the MP4 and in each PNG says the same.
    expect((await recordOf(first)).reference).toEqual(first.conditioning);
    expect(first.warnings.join('\n')).toMatch(/scaled to 256 × 171 and 16 % of its height cut off, centred/);
    expect(made.stderr).toMatch(/encode…/);

    const extended = runCli(['a cat walking in the snow', '--model', model, '--extend', first.runId, '--condition-strength', '0.8', '--resolution', '144p', '--frames', '51', '--steps', '4', '--json']);
    expect(extended.status, extended.stderr).toBe(0);
    const second = JSON.parse(extended.stdout) as CliSummary;
    expect(second.conditioning).toEqual({ kind: 'extend', source: `run ${first.runId}`, strength: 0.8, editRatio: 1 - 0.8, latentFrames: 5, pixelFrames: 17 });
    expect((await recordOf(second)).reference).toEqual(second.conditioning);
    expect(second.frames).toBe(51);

    const plain = runCli(['a cat walking in the snow', '--model', model, '--resolution', '144p', '--frames', '1', '--steps', '1', '--json', '--no-history']);
    expect(plain.status, plain.stderr).toBe(0);
    const plainSummary = JSON.parse(plain.stdout) as CliSummary;
    expect(plainSummary.conditioning).toBeNull();
    expect(await recordOf(plainSummary)).not.toHaveProperty('reference');
  });

  it('refuses bad references before the first step, naming the problem', () => {
    const tiny = path.join(work, 'tiny.png');
    writeImage(tiny, 10, 10);
    const notImage = path.join(work, 'notes.jpg');
    fs.writeFileSync(notImage, 'hello');
    const base = ['a cat', '--model', model, '--resolution', '144p', '--frames', '51', '--steps', '2', '--no-history'];
    const refused = [
      [[...base, '--image', notImage], 'is not a PNG or JPEG image'],
      [[...base, '--image', tiny], '10 × 10 pixels: too small for the 256 × 144 preset'],
      [[...base, '--extend', 'no-such-run'], 'no such file or folder, and no run with that id in the history'],
      [[...base, '--extend', tiny], 'is not a GIF, an MP4 or a folder of PNG frames'],
      [[...base.filter((arg) => arg !== '--no-history'), '--extend', tiny], 'a clip file is not a run of the history; pass --no-history'],
      [['a cat', '--image', tiny, '--steps', '2', '--no-history'], 'trained on text alone'],
      [[...base, '--image', tiny, '--extend', tiny], '--image and --extend both set'],
      [[...base, '--condition-strength', '0.5'], '--condition-strength needs --image or --extend'],
      [[...base, '--image', tiny, '--condition-strength', '1.5'], '--condition-strength needs a number in (0, 1]'],
    ] as const;
    for (const [args, message] of refused) {
      const result = runCli([...args]);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/step 1\//);
    }
  });
});
