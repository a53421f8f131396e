import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_PACKAGES_DIR } from './randomPackage';

/**
 * test/fixtures/packages/random-wide: a random-weight package (8 block pairs at hidden 512, ≈ 280 MB of weights) whose
 * graphs and manifest are committed without their weights; weights-layout.json says where each tensor lies in each
 * weights file (test/fixtures/make_fixtures.py). `makeWidePackage` copies it into a temp folder and writes the
 * weights there: float32 tensors get small pseudo-random values (the memory test needs bytes that stay finite
 * through the network, not trained ones), any other tensor the bytes the layout keeps.
 */
export const WIDE_PACKAGE_DIR = path.join(FIXTURE_PACKAGES_DIR, 'random-wide');
const FLOAT32 = 1;
/** |w| ≤ this keeps activations of 16 blocks at hidden 512 finite (LayerNorm re-scales between them). */
const WEIGHT_AMPLITUDE = 0.02;

interface WeightsTensor { offset: number; length: number; dtype: number; base64?: string }
interface WeightsFileLayout { file: string; sizeBytes: number; tensors: WeightsTensor[] }

export interface WidePackage {
  readonly dir: string;
  /** Sum of the weights files' sizes. */
  readonly weightsBytes: number;
  cleanup(): void;
}

function fillFloats(target: Float32Array, seed: number): void {
  let state = seed >>> 0 || 1;
  for (let i = 0; i < target.length; i++) {
    // xorshift32: fast, and enough spread for random weights.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    target[i] = ((state >>> 0) / 0x1_0000_0000 * 2 - 1) * WEIGHT_AMPLITUDE;
  }
}

export function makeWidePackage(): WidePackage {
  const layoutFile = path.join(WIDE_PACKAGE_DIR, 'weights-layout.json');
  if (!fs.existsSync(layoutFile)) {
    throw new Error(`${layoutFile} is missing; regenerate it with \`npm run fixtures -- --only random-wide\`.`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-wide-package-'));
  fs.cpSync(WIDE_PACKAGE_DIR, dir, { recursive: true });
  const layouts = JSON.parse(fs.readFileSync(layoutFile, 'utf8')) as WeightsFileLayout[];
  let weightsBytes = 0;
  for (const [index, layout] of layouts.entries()) {
    const bytes = new Uint8Array(layout.sizeBytes);
    for (const tensor of layout.tensors) {
      if (tensor.base64 !== undefined) {
        bytes.set(Buffer.from(tensor.base64, 'base64'), tensor.offset);
      } else if (tensor.dtype === FLOAT32) {
        fillFloats(new Float32Array(bytes.buffer, tensor.offset, tensor.length / 4), index * 7919 + tensor.offset);
      } else {
        throw new Error(`${layout.file}: tensor at ${tensor.offset} has dtype ${tensor.dtype} and no bytes in the layout`);
      }
    }
    fs.writeFileSync(path.join(dir, layout.file), bytes);
    weightsBytes += layout.sizeBytes;
  }
  return { dir, weightsBytes, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
