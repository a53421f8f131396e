import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorData, float32View } from '../../../src/main/engine/runtime/types';
import { WorkerExecutor } from '../../../src/main/engine/runtime/workerExecutor';

/**
 * Static shapes at session creation (runtime/staticShapes.ts): onnxruntime-node 1.30.0 drops `freeDimensionOverrides`,
 * so the executor binds the named axes in the graph itself and creates the session from those bytes, with the unit's
 * external weights read from its folder. The session then has fixed input shapes, refuses another size, and computes
 * what the symbolic session computes (to float32 rounding).
 */
const UNIT = path.resolve('test/fixtures/packages/opensora-tiny/vae.spatial.onnx');
const executor = new WorkerExecutor({ index: 0 });
afterAll(() => executor.dispose());

function latent(n: number): Float32Array {
  return Float32Array.from({ length: n * 4 * 6 * 8 }, (_, i) => Math.sin(i * 0.37));
}

describe('freeDimensionOverrides at session creation', () => {
  it('onnxruntime-node ignores the option itself: the session keeps its symbolic axes', async () => {
    const session = await ort.InferenceSession.create(UNIT, { executionProviders: ['cpu'], freeDimensionOverrides: { N: 2, H: 6, W: 8 } });
    try {
      const input = session.inputMetadata[0];
      expect(input.isTensor && input.shape).toEqual(['N', 4, 'H', 'W']);
    } finally {
      await session.release();
    }
  });

  it('the executor creates a static session that computes what the symbolic one does and refuses other sizes', async () => {
    const symbolic = await executor.load('symbolic', UNIT, { executionProviders: ['cpu'] });
    const fixed = await executor.load('static', UNIT, { executionProviders: ['cpu'], freeDimensionOverrides: { N: 2, H: 6, W: 8 } });
    expect(symbolic.inputs[0].dims).toEqual(['N', 4, 'H', 'W']);
    expect(fixed.inputs[0].dims).toEqual([2, 4, 6, 8]);
    expect(fixed.outputs[0].dims).toEqual([2, 3, 48, 64]);
    const feeds = () => ({ x_z: tensorData('float32', [2, 4, 6, 8], latent(2)) });
    const a = float32View((await executor.run('symbolic', feeds())).outputs.frames);
    const b = float32View((await executor.run('static', feeds())).outputs.frames);
    expect(b.length).toBe(a.length);
    // ORT may pick other kernels once sizes are known: float32 rounding, no more.
    const scale = Math.max(...a.map(Math.abs));
    expect(Math.max(...a.map((value, i) => Math.abs(value - b[i])))).toBeLessThan(1e-5 * scale);
    await expect(executor.run('static', { x_z: tensorData('float32', [3, 4, 6, 8], latent(3)) })).rejects.toThrow(/dimension|shape/i);
  });
});
