import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerationEvent, ResolvedSettings } from '../../../src/shared/domain/generation';
import { StudioError } from '../../../src/shared/ipc/errors';
import { checkOutputTarget, estimateOutputBytes } from '../../../src/main/engine/output/outputTarget';
import { writeOutputs } from '../../../src/main/engine/output/writeOutputs';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { mountTinyFilesystem, type TinyFilesystem } from './tinyFilesystem';

/** Output paths that cannot take the clip fail before the first step, typed and in words; a full disk leaves no partial file. */
const SHIPPED = path.resolve(__dirname, '../../../models/shapes-tiny');
const request = { prompt: 'a red circle moving left on a blue background', seed: 3, steps: 2, modelPath: SHIPPED };

const mounted: TinyFilesystem[] = [];
afterEach(async () => {
  while (mounted.length > 0) {
    await mounted.pop()?.unmount();
  }
});
async function tinyFilesystem(sizeBytes: number): Promise<TinyFilesystem> {
  const fsys = await mountTinyFilesystem(sizeBytes);
  mounted.push(fsys);
  return fsys;
}

async function refusedBeforeFirstStep(basePath: string): Promise<StudioError> {
  const events: GenerationEvent[] = [];
  const error = await generateVideo(request, { output: { basePath }, onEvent: (event) => events.push(event) }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StudioError);
  expect(events.filter((event) => event.kind === 'step' || event.kind === 'started')).toEqual([]);
  return error as StudioError;
}

describe('the output folder is checked before the first step', () => {
  it('a parent that is a file: OUTPUT_UNWRITABLE naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-out-'));
    fs.writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const error = await refusedBeforeFirstStep(path.join(dir, 'not-a-folder', 'job', 'clip'));
    expect(error.code).toBe('OUTPUT_UNWRITABLE');
    expect(error.message).toBe(`Cannot write the outputs to ${path.join(dir, 'not-a-folder', 'job')}: ${path.join(dir, 'not-a-folder')} is a file, not a folder.`);
  });

  it('a read-only file system: OUTPUT_UNWRITABLE with the reason', async () => {
    const fsys = await tinyFilesystem(4 * 1024 * 1024);
    await fsys.makeReadOnly();
    const error = await refusedBeforeFirstStep(path.join(fsys.dir, 'job', 'clip'));
    expect(error.code).toBe('OUTPUT_UNWRITABLE');
    expect(error.message).toBe(`Cannot write the outputs to ${path.join(fsys.dir, 'job')}: the file system is read-only.`);
  });

  it('too little free space for the clip: DISK_FULL with free and needed bytes', async () => {
    const fsys = await tinyFilesystem(256 * 1024);
    const error = await refusedBeforeFirstStep(path.join(fsys.dir, 'job', 'clip'));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(new RegExp(`^Not enough free space for the outputs in ${fsys.dir}/job: 0\\.2\\d MB free, the clip needs up to \\d+\\.\\d+ MB\\.$`));
  });

  it('a folder with room passes, and the estimate covers what is really written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-out-'));
    const { summary } = await generateVideo(request, { output: { basePath: path.join(dir, 'job', 'clip'), formats: ['gif', 'png', 'json'] } });
    const written = summary.outputs.reduce((sum, output) => {
      const stat = fs.statSync(output);
      return sum + (stat.isDirectory() ? fs.readdirSync(output).reduce((inner, file) => inner + fs.statSync(path.join(output, file)).size, 0) : stat.size);
    }, 0);
    expect(written).toBeGreaterThan(0);
    expect(estimateOutputBytes({ frames: 16, height: 32, width: 32 })).toBeGreaterThan(written);
    // Nothing temporary is left next to the outputs.
    expect(fs.readdirSync(path.join(dir, 'job')).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('a disk that fills while writing', () => {
  it('DISK_FULL naming the file; no truncated output is left behind', async () => {
    // Room for the check's probe but not for the PNG frames: the check is bypassed by writing directly.
    const fsys = await tinyFilesystem(64 * 1024);
    const frames = Array.from({ length: 16 }, (_, index) => new Uint8ClampedArray(32 * 32 * 4).map((_, byte) => (byte * 31 + index * 17) & 0xff));
    const settings = { prompt: 'p', seed: 1, modelId: 'shapes-tiny', modelVersion: '1' } as ResolvedSettings;
    const error = await writeOutputs({ width: 32, height: 32, fps: 8, frames }, { settings, run: { stepsRun: 2, leapStep: null, mergedSteps: 0 } }, { basePath: path.join(fsys.dir, 'clip'), formats: ['gif', 'png'], upscale: 8 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StudioError);
    expect(error).toMatchObject({ code: 'DISK_FULL', detail: 'ENOSPC' });
    expect((error as Error).message.startsWith(`Cannot write the outputs to ${fsys.dir}/clip`)).toBe(true);
    expect((error as Error).message).toMatch(/clip(\.gif|-frames): the disk is full\.$/);
    // Only complete outputs (renamed into place) may remain; nothing partial.
    expect(fs.readdirSync(fsys.dir).filter((name) => name.startsWith('.partial'))).toEqual([]);
    expect(() => checkOutputTarget(path.join(fsys.dir, 'again', 'clip'), estimateOutputBytes({ frames: 16, height: 32, width: 32 }, 8))).toThrow(/Not enough free space|the disk is full/);
  });
});
