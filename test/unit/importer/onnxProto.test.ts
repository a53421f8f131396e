import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../src/main/importer/onnxProto';

const ROOTS = ['models/templates/opensora-1.2', 'test/fixtures/packages/opensora-tiny', 'test/fixtures/packages/random-d2'];

function onnxFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? onnxFiles(path.join(dir, e.name)) : e.name.endsWith('.onnx') ? [path.join(dir, e.name)] : []));
}

describe('ONNX protobuf schema (protobufjs)', () => {
  it('decodes and re-encodes every committed template and fixture graph byte for byte', () => {
    const files = ROOTS.flatMap(onnxFiles);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      expect(Buffer.from(encodeModel(decodeModel(bytes))).equals(bytes), file).toBe(true);
    }
  });
});
