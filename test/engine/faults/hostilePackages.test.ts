import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type StudioError } from '../../../src/shared/ipc/errors';
import { manifestHash, ModelCatalog } from '../../../src/main/backend/modelCatalog';
import { ModelLibrary } from '../../../src/main/backend/modelLibrary';
import { checkPackageFolder } from '../../../src/main/engine/package/checkUnits';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';

/**
 * Hostile package folders given to "Add model…" (issue 29): real named pipes (mkfifo), real sockets, real symbolic
 * links out of the folder and back into it, files that quote secrets. Each is refused at once with a typed error that
 * names the file and what it is, never its contents; nothing lands in the data folder.
 */
const SHIPPED = path.resolve(__dirname, '../../../models/shapes-tiny');
const FIXTURE = path.resolve(__dirname, '../../fixtures/packages/opensora-tiny');
const WORD_FIXTURE = path.resolve(__dirname, '../../fixtures/packages/random-d2');

const scratch: string[] = [];
let modelsDir = '';
let library: ModelLibrary;
let catalog: ModelCatalog;

function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `studio-hostile-${label}-`));
  scratch.push(dir);
  return dir;
}

function packageCopy(from: string, spoil: (dir: string) => void): string {
  const dir = path.join(tempDir('package'), 'pkg');
  fs.cpSync(from, dir, { recursive: true });
  spoil(dir);
  return dir;
}

function mkfifo(file: string): void {
  fs.rmSync(file, { force: true });
  execFileSync('mkfifo', [file]);
  expect(fs.lstatSync(file).isFIFO()).toBe(true);
}

async function refusal(run: Promise<unknown> | (() => unknown)): Promise<{ error: StudioError | Error; ms: number }> {
  const started = Date.now();
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (error) {
    return { error: error as Error, ms: Date.now() - started };
  }
  throw new Error('expected a refusal');
}

function modelsFolder(): string[] {
  return fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir) : [];
}

beforeEach(() => {
  modelsDir = path.join(tempDir('data'), 'models');
  catalog = new ModelCatalog({ builtinDir: () => SHIPPED, modelsDir });
  library = new ModelLibrary({ catalog, checkPackage: async (dir) => void (await checkPackageFolder(dir)), onChanged: () => undefined, onImportEvent: () => undefined });
});

afterAll(() => {
  for (const dir of scratch) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('special files in a package are refused before anything opens them', () => {
  it('a weights file that is a named pipe: the read, the engine check and Add model each answer at once, naming the file', async () => {
    const dir = packageCopy(FIXTURE, (pkg) => mkfifo(path.join(pkg, 'denoiser.block.01.weights')));
    const expected = 'unit denoiser.block.01 weights file denoiser.block.01.weights is a named pipe (FIFO), not a regular file';
    for (const run of [() => readModelPackage(dir), () => checkPackageFolder(dir), () => library.add(dir)]) {
      const { error, ms } = await refusal(run);
      expect(error.message).toContain(expected);
      expect(ms).toBeLessThan(2000);
    }
    const added = await refusal(library.add(dir));
    expect(added.error).toMatchObject({ code: 'MODEL_INVALID' });
    expect(modelsFolder()).toEqual([]);
  });

  it('a named pipe as manifest.json, as the null caption, or as a file no manifest names', async () => {
    const cases: Array<[string, string]> = [
      ['manifest.json', 'manifest file manifest.json is a named pipe (FIFO), not a regular file'],
      ['null_caption.bin', 'null caption file null_caption.bin is a named pipe (FIFO), not a regular file'],
      ['notes.txt', 'notes.txt is a named pipe (FIFO), not a regular file'],
    ];
    for (const [file, message] of cases) {
      const dir = packageCopy(FIXTURE, (pkg) => mkfifo(path.join(pkg, file)));
      const { error, ms } = await refusal(library.add(dir));
      expect(error, file).toMatchObject({ code: 'MODEL_INVALID' });
      expect(error.message).toContain(message);
      expect(ms).toBeLessThan(2000);
      if (file === 'manifest.json') {
        // The hash recorded with a finished run reads the manifest the same way: no hash, and no wait.
        expect(manifestHash(dir)).toBeNull();
      }
    }
    expect(modelsFolder()).toEqual([]);
  });

  it('a socket in the package folder is refused as a socket', async () => {
    const dir = packageCopy(FIXTURE, () => undefined);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'control.sock'), resolve));
    try {
      const { error } = await refusal(library.add(dir));
      expect(error).toMatchObject({ code: 'MODEL_INVALID' });
      expect(error.message).toContain('control.sock is a socket, not a regular file');
    } finally {
      server.close();
    }
  });
});

describe('symbolic links are followed only inside the package', () => {
  it('a link to a secret folder outside is refused, and the secret never reaches the data folder', async () => {
    const secret = tempDir('secret');
    fs.writeFileSync(path.join(secret, 'private.key'), 'PRIVATE-KEY-4242');
    const dir = packageCopy(FIXTURE, (pkg) => fs.symlinkSync(secret, path.join(pkg, 'notes')));
    const { error } = await refusal(library.add(dir));
    expect(error).toMatchObject({ code: 'MODEL_INVALID' });
    expect(error.message).toContain('notes is a symbolic link leaving the package folder');
    expect(modelsFolder()).toEqual([]);
    expect(fs.readdirSync(path.dirname(modelsDir), { recursive: true }).map(String)).not.toContainEqual(expect.stringContaining('private.key'));
  });

  it('a link to /etc is refused with a typed error (not INTERNAL), before any copy', async () => {
    const dir = packageCopy(FIXTURE, (pkg) => fs.symlinkSync('/etc', path.join(pkg, 'etc')));
    const { error } = await refusal(library.add(dir));
    expect(error).toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('etc is a symbolic link leaving the package folder') });
    expect(modelsFolder()).toEqual([]);
  });

  it('a weights file linked outside is refused naming the file; a dangling link and a loop too', async () => {
    const outside = tempDir('outside');
    fs.copyFileSync(path.join(FIXTURE, 'text.final.weights'), path.join(outside, 'text.final.weights'));
    const linked = packageCopy(FIXTURE, (pkg) => {
      fs.rmSync(path.join(pkg, 'text.final.weights'));
      fs.symlinkSync(path.join(outside, 'text.final.weights'), path.join(pkg, 'text.final.weights'));
    });
    expect((await refusal(() => readModelPackage(linked))).error.message).toContain(
      'unit text.final weights file text.final.weights is a symbolic link leaving the package folder',
    );
    const dangling = packageCopy(FIXTURE, (pkg) => fs.symlinkSync(path.join(pkg, 'gone'), path.join(pkg, 'stale')));
    expect((await refusal(library.add(dangling))).error.message).toContain('stale is a symbolic link that leads nowhere');
    const loop = packageCopy(FIXTURE, (pkg) => fs.symlinkSync('..', path.join(pkg, 'reference', 'up')));
    expect((await refusal(library.add(loop))).error.message).toContain('reference/up links back to a folder the package already holds (a loop)');
    expect(modelsFolder()).toEqual([]);
  });

  it('a link that stays inside the package is copied as the file it points at (the copy holds no links)', async () => {
    const dir = packageCopy(FIXTURE, (pkg) => {
      fs.renameSync(path.join(pkg, 'text.final.weights'), path.join(pkg, 'reference', 'text.final.weights'));
      fs.symlinkSync(path.join('reference', 'text.final.weights'), path.join(pkg, 'text.final.weights'));
    });
    const summary = await library.add(dir);
    const copied = path.join(summary.path, 'text.final.weights');
    expect(fs.lstatSync(copied).isFile()).toBe(true);
    expect(fs.readFileSync(copied)).toEqual(fs.readFileSync(path.join(FIXTURE, 'text.final.weights')));
  });
});

describe('errors name files and fields, never their contents', () => {
  it('a vocabulary linked to /etc/passwd, or holding its text, never echoes it', async () => {
    const linked = packageCopy(WORD_FIXTURE, (pkg) => {
      fs.rmSync(path.join(pkg, 'vocab.json'));
      fs.symlinkSync('/etc/passwd', path.join(pkg, 'vocab.json'));
    });
    const viaLink = (await refusal(library.add(linked))).error;
    expect(viaLink).toMatchObject({ code: 'MODEL_INVALID' });
    expect(viaLink.message).toContain('vocabulary file vocab.json is a symbolic link leaving the package folder');
    const copied = packageCopy(WORD_FIXTURE, (pkg) => fs.writeFileSync(path.join(pkg, 'vocab.json'), 'root:x:0:0:root:/root:/bin/bash\n'));
    const viaText = (await refusal(library.add(copied))).error;
    expect(viaText).toMatchObject({ code: 'MODEL_INVALID', message: 'Vocabulary vocab.json is not valid JSON.' });
    for (const message of [viaLink.message, viaText.message]) {
      expect(message).not.toContain('root:x');
    }
  });

  it('a null caption far larger than its shape is refused by size, without reading it whole', async () => {
    const dir = packageCopy(FIXTURE, (pkg) => fs.truncateSync(path.join(pkg, 'null_caption.bin'), 8 * 1024 ** 3));
    const { error, ms } = await refusal(() => readModelPackage(dir));
    expect(error.message).toMatch(/^null_caption\.bin has 8589934592 bytes; shape \[\d+, \d+\] float32 needs \d+\.$/);
    expect(ms).toBeLessThan(2000);
  });
});
