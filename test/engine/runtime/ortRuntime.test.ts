import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { physicalCoreCount } from '../../../src/main/engine/runtime/cpuCores';
import { checkUnitAgainstSpec, getRuntimeInfo, inspectUnit } from '../../../src/main/engine/runtime/ort';
import { COREML_FLAGS, executionProvidersFor, streamingSessionOptions } from '../../../src/main/engine/runtime/sessionOptions';
import { float32View, OrtRuntimeError, tensorData, type TensorMap } from '../../../src/main/engine/runtime/types';
import { defaultOrtWorkerPath, WorkerExecutor } from '../../../src/main/engine/runtime/workerExecutor';
import { condTensor, loadChain, maxAbsDiff, type ChainFixture } from './chainFixture';

let chain: ChainFixture;

beforeAll(() => {
  // Block 3 is ~270 KB so that an undersized sizeBytes exceeds the padding slack.
  chain = loadChain('runtime');
});
afterAll(() => chain.cleanup());

async function rejection(promise: Promise<unknown>): Promise<OrtRuntimeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrtRuntimeError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('ort runtime info and options', () => {
  it('lists cpu among the available providers and reports the ORT version', () => {
    const info = getRuntimeInfo();
    expect(info.availableProviders).toContain('cpu');
    expect(info.ortVersion).toBe('1.30.0');
    expect(info.executionProviders).toContain('cpu');
  });

  it('chooses CoreML (MLProgram) then CPU on macOS arm64, CPU elsewhere', () => {
    expect(executionProvidersFor({ platform: 'darwin', arch: 'arm64' })).toEqual([{ name: 'coreml', coreMlFlags: COREML_FLAGS.createMlProgram }, 'cpu']);
    expect(COREML_FLAGS.createMlProgram).toBe(0x010);
    expect(executionProvidersFor({ platform: 'linux', arch: 'x64' })).toEqual(['cpu']);
    expect(executionProvidersFor({ platform: 'darwin', arch: 'x64' })).toEqual(['cpu']);
    const options = streamingSessionOptions({ target: { platform: 'linux', arch: 'x64' }, intraOpNumThreads: 2 });
    expect(options).toMatchObject({ executionProviders: ['cpu'], enableCpuMemArena: false, enableMemPattern: false, intraOpNumThreads: 2 });
    expect(options.extra).toEqual({ session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });
  });

  it("gives every session one intra-op thread per physical core, never ORT's own count", async () => {
    const options = streamingSessionOptions({ target: { platform: 'linux', arch: 'x64' } });
    expect(options.intraOpNumThreads).toBe(physicalCoreCount());
    // The pool ORT really made: the caller's thread computes too, so a session adds cores − 1 threads (Linux lists them).
    const threads = (): number => readdirSync('/proc/self/task').length;
    if (process.platform === 'linux') {
      const unitPath = path.join(chain.dir, chain.units[0].file);
      // A first session also starts ORT's environment; one on the calling thread alone makes it start here.
      const warm = await ort.InferenceSession.create(unitPath, { ...options, intraOpNumThreads: 1 });
      const before = threads();
      const session = await ort.InferenceSession.create(unitPath, options);
      try {
        expect(threads() - before).toBe(physicalCoreCount() - 1);
      } finally {
        await session.release();
        await warm.release();
      }
    }
  });
});

describe('inspectUnit / checkUnitAgainstSpec', () => {
  it('reads names, dtypes and symbolic dims', async () => {
    const io = await inspectUnit(path.join(chain.dir, chain.units[0].file));
    expect(io.inputs).toEqual([
      { name: 'h', dtype: 'float32', dims: ['B', 32] },
      { name: 'cond', dtype: 'float32', dims: [1, 32] },
    ]);
    expect(io.outputs).toEqual([{ name: 'h_out', dtype: 'float32', dims: ['B', 32] }]);
  });

  it('accepts a matching unit (main and weight-sharing alt graph)', async () => {
    expect(await checkUnitAgainstSpec(chain.units[1], chain.dir)).toEqual([]);
    expect(await checkUnitAgainstSpec(chain.altUnits[1], chain.dir)).toEqual([]);
  });

  it('reports a wrong input name, shape and dtype, naming the file', async () => {
    const unit = chain.units[2];
    const wrong = {
      ...unit,
      inputs: [
        { name: 'hidden', dtype: 'float32' as const, shape: ['B', 32] },
        { name: 'cond', dtype: 'int64' as const, shape: [1, 64] },
      ],
    };
    const mismatches = await checkUnitAgainstSpec(wrong, chain.dir);
    const kinds = mismatches.map((m) => m.kind).sort();
    expect(kinds).toEqual(['dtype', 'missing-tensor', 'shape', 'unexpected-tensor']);
    for (const mismatch of mismatches) {
      expect(mismatch.file).toBe(unit.file);
      expect(mismatch.message).toContain(unit.file);
    }
    const shape = mismatches.find((m) => m.kind === 'shape');
    expect(shape?.message).toContain('"cond"');
    expect(shape?.message).toContain('expected [1, 64], actual [1, 32]');
    expect(mismatches.find((m) => m.kind === 'missing-tensor')?.message).toContain('"hidden"');
  });

  it('reports missing files and an undersized sizeBytes, tolerating alignment padding', async () => {
    const missing = await checkUnitAgainstSpec({ ...chain.units[0], file: 'nope.onnx' }, chain.dir);
    expect(missing).toHaveLength(1);
    expect(missing[0].kind).toBe('missing-file');
    expect(missing[0].message).toContain('nope.onnx');
    const undersized = await checkUnitAgainstSpec({ ...chain.units[3], sizeBytes: 10 }, chain.dir);
    expect(undersized.map((m) => m.kind)).toEqual(['weights-larger-than-size']);
    expect(undersized[0].file).toBe(chain.units[3].weightsFile);
    expect(await checkUnitAgainstSpec({ ...chain.units[3], sizeBytes: chain.units[3].sizeBytes - 100 }, chain.dir)).toEqual([]);
  });
});

describe('WorkerExecutor', () => {
  it('resolves ortWorker.mjs next to its module by default', () => {
    const expected = fileURLToPath(new URL('../../../src/main/engine/runtime/ortWorker.mjs', import.meta.url));
    expect(defaultOrtWorkerPath()).toBe(expected);
  });

  it('loads, runs the chain with transferred buffers and matches numpy', async () => {
    const executor = new WorkerExecutor({ index: 0 });
    try {
      const before = performance.timeOrigin + performance.now();
      const load = await executor.load('block.00', path.join(chain.dir, chain.units[0].file), streamingSessionOptions());
      expect(load.inputs.map((m) => m.name)).toEqual(['h', 'cond']);
      expect(load.startMs).toBeGreaterThanOrEqual(before - 50); // shared time base across threads
      expect(load.endMs).toBeGreaterThanOrEqual(load.startMs);
      for (const unit of chain.units.slice(1)) {
        await executor.load(unit.id, path.join(chain.dir, unit.file), streamingSessionOptions());
      }
      expect([...(await executor.listLoaded())].sort()).toEqual(chain.units.map((u) => u.id).sort());

      const cond = condTensor(chain);
      let feeds: TensorMap = { h: tensorData('float32', [chain.rows, chain.width], chain.input.slice()), cond };
      for (const unit of chain.units) {
        const sent = feeds.h.data;
        const reply = await executor.run(unit.id, feeds, { keepFeeds: ['cond'] });
        expect(sent.byteLength).toBe(0); // transferred, not cloned
        expect(cond.data.byteLength).toBe(chain.width * 4); // kept: copied
        expect(reply.endMs).toBeGreaterThanOrEqual(reply.startMs);
        feeds = { h: reply.outputs.h_out, cond };
      }
      expect(maxAbsDiff(float32View(feeds.h), chain.expectedMain)).toBeLessThan(1e-4);

      const released = await executor.release('block.00');
      expect(released.released).toBe(true);
      expect((await executor.release('block.00')).released).toBe(false);
      const all = await executor.releaseAll();
      expect([...all.releasedUnitIds].sort()).toEqual(chain.units.slice(1).map((u) => u.id).sort());
      expect(await executor.listLoaded()).toEqual([]);
    } finally {
      await executor.dispose();
    }
  });

  it('replies errors as codes', async () => {
    const executor = new WorkerExecutor({ index: 1 });
    try {
      const feeds = (): TensorMap => ({ h: tensorData('float32', [2, chain.width], new Float32Array(2 * chain.width)), cond: condTensor(chain) });
      expect((await rejection(executor.run('block.00', feeds()))).code).toBe('E_NOT_LOADED');
      const badLoad = await rejection(executor.load('x', path.join(chain.dir, 'missing.onnx'), {}));
      expect(badLoad.code).toBe('E_LOAD_FAILED');
      expect(badLoad.message).toContain('missing.onnx');
      // A weights file that cannot be read through fails the load, names the file, and leaves nothing loaded.
      const unreadable = await rejection(executor.load('block.00', path.join(chain.dir, chain.units[0].file), streamingSessionOptions(), path.join(chain.dir, 'gone.weights')));
      expect(unreadable.code).toBe('E_LOAD_FAILED');
      expect(unreadable.message).toContain('gone.weights');
      expect(await executor.listLoaded()).toEqual([]);
      await executor.load('block.00', path.join(chain.dir, chain.units[0].file), streamingSessionOptions());
      expect((await rejection(executor.load('block.00', path.join(chain.dir, chain.units[0].file), {}))).code).toBe('E_ALREADY_LOADED');
      const wrongSize = { ...feeds(), h: { dtype: 'float32' as const, dims: [2, chain.width], data: new ArrayBuffer(12) } };
      expect((await rejection(executor.run('block.00', wrongSize))).code).toBe('E_BAD_FEED');
      const wrongRank = { ...feeds(), h: tensorData('float32', [chain.width], new Float32Array(chain.width)) };
      expect((await rejection(executor.run('block.00', wrongRank))).code).toBe('E_RUN_FAILED');
      // A reused, already transferred feed is caught with a hint.
      const shared = feeds();
      await executor.run('block.00', shared);
      const detached = await rejection(executor.run('block.00', shared));
      expect(detached.code).toBe('E_BAD_FEED');
      expect(detached.message).toContain('keepFeeds');
      // The worker stays usable after errors.
      const ok = await executor.run('block.00', feeds(), { outputNames: ['h_out'] });
      expect(ok.outputs.h_out.dims).toEqual([2, chain.width]);
    } finally {
      await executor.dispose();
    }
    expect(executor.disposed).toBe(true);
    expect((await rejection(executor.listLoaded())).code).toBe('E_DISPOSED');
  });

  it('accepts an explicit worker path (as a bundled app places it) and refuses a missing one', async () => {
    // Mimic a bundle: ortWorker.mjs and its one import valueMetadata.mjs copied to <app>/out/main/ (as
    // electron.vite.config.ts does), onnxruntime-node in <app>/node_modules.
    const app = mkdtempSync(path.join(tmpdir(), 'studio-bundle-'));
    try {
      const nodeModules = path.join(app, 'node_modules');
      mkdirSync(path.join(app, 'out', 'main'), { recursive: true });
      mkdirSync(nodeModules);
      const realOrt = fileURLToPath(new URL('../../../node_modules/onnxruntime-node', import.meta.url));
      symlinkSync(realOrt, path.join(nodeModules, 'onnxruntime-node'), 'dir');
      const copied = path.join(app, 'out', 'main', 'ortWorker.mjs');
      copyFileSync(defaultOrtWorkerPath(), copied);
      copyFileSync(path.join(path.dirname(defaultOrtWorkerPath()), 'valueMetadata.mjs'), path.join(app, 'out', 'main', 'valueMetadata.mjs'));
      const executor = new WorkerExecutor({ index: 0, workerPath: copied });
      try {
        expect(executor.workerPath).toBe(copied);
        const load = await executor.load('block.01', path.join(chain.dir, chain.units[1].file), streamingSessionOptions());
        expect(load.outputs[0].name).toBe('h_out');
      } finally {
        await executor.dispose();
      }
      let caught: unknown;
      try {
        new WorkerExecutor({ index: 0, workerPath: path.join(app, 'nowhere', 'ortWorker.mjs') });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(OrtRuntimeError);
      expect((caught as OrtRuntimeError).code).toBe('E_WORKER_NOT_FOUND');
      expect((caught as OrtRuntimeError).message).toContain(path.join(app, 'nowhere', 'ortWorker.mjs'));
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
