import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';
import { createWordTokenizer } from '../../../src/main/engine/text/wordTokenizer';
import { fixturePackage } from '../support/randomPackage';


describe('model package loading', () => {
  let packageDir: string;
  beforeAll(() => {
    packageDir = fixturePackage('random-d2');
  });

  function copyPackage(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-pkg-'));
    fs.cpSync(packageDir, dir, { recursive: true });
    return dir;
  }

  it('reads a valid package made by the exporter', () => {
    const pkg = readModelPackage(packageDir);
    expect(pkg.manifest.schemaVersion).toBe(1);
    expect(pkg.manifest.denoiser.blocks).toHaveLength(2);
    expect(pkg.nullCaption.length).toBe(pkg.manifest.nullCaption.shape[0] * pkg.manifest.nullCaption.shape[1]);
    expect(pkg.vocabulary?.length).toBeGreaterThan(5);
  });

  it('names an unknown model path', () => {
    expect(() => readModelPackage('/nonexistent/model')).toThrow('Model package not found: /nonexistent/model is not a folder.');
  });

  it('names a missing unit file', () => {
    const dir = copyPackage();
    fs.rmSync(path.join(dir, 'denoiser.block.01.weights'));
    expect(() => readModelPackage(dir)).toThrow(/denoiser\.block\.01 weights file denoiser\.block\.01\.weights is missing/);
  });

  it('names the manifest field that breaks the schema', () => {
    const dir = copyPackage();
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.sampler.steps = 'thirty';
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    expect(() => readModelPackage(dir)).toThrow(/sampler\.steps/);
  });

  it('refuses a null caption of the wrong size', () => {
    const dir = copyPackage();
    fs.writeFileSync(path.join(dir, 'null_caption.bin'), Buffer.alloc(12));
    expect(() => readModelPackage(dir)).toThrow(/null_caption\.bin has 12 bytes/);
  });
});

describe('word tokenizer', () => {
  const tokenize = createWordTokenizer({ vocabulary: ['<pad>', '<unk>', '</s>', 'a', 'red', 'circle'], maxTokens: 5, padId: 0, unknownId: 1, endId: 2, lowercase: true });

  it('maps words, appends the end token and pads', () => {
    const result = tokenize('A red, CIRCLE');
    expect(Array.from(result.ids, Number)).toEqual([3, 4, 5, 2, 0]);
    expect(Array.from(result.mask)).toEqual([1, 1, 1, 1, 0]);
    expect(result.length).toBe(4);
    expect(result.truncated).toBe(false);
  });

  it('reports unknown words and truncates keeping the end token', () => {
    const result = tokenize('a red purple circle circle');
    expect(result.unknownWords).toEqual(['purple']);
    expect(result.truncated).toBe(true);
    expect(Array.from(result.ids, Number)).toEqual([3, 4, 1, 5, 2]);
  });
});
