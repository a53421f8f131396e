import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmModelBytes } from '../../src/main/bench/realSize/gemmModel';
import { readOpProfiles } from '../../src/main/bench/realSize/opProfile';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'op-profile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** onnxruntime's own profiler on the bench's Gemm model: what the real-size bench's profile probe reads. */
describe("the real-size bench's op profile", () => {
  it('sums kernel time per op over the timed runs and counts the Gemm FLOPs from the recorded shapes', async () => {
    const [m, k, n] = [64, 48, 32];
    const session = await ort.InferenceSession.create(gemmModelBytes(m, k, n), { enableProfiling: true, profileFilePrefix: path.join(dir, 'gemm') });
    const a = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
    const { c } = await session.run({ a });
    expect(c.dims).toEqual([m, n]);
    for (let run = 0; run < 3; run++) {await session.run({ a });}
    await session.release();
    // A session run once (as the executors' warm-up session is) adds nothing.
    const once = await ort.InferenceSession.create(gemmModelBytes(4, 4, 4), { enableProfiling: true, profileFilePrefix: path.join(dir, 'once') });
    await once.run({ a: new ort.Tensor('float32', new Float32Array(16), [4, 4]) });
    await once.release();

    const files = fs.readdirSync(dir).map((name) => path.join(dir, name));
    expect(files).toHaveLength(2);
    const profile = readOpProfiles(files);
    expect(profile.runsPerSession).toBe(3);
    expect(profile.opMs.map((row) => row.op)).toEqual(['Gemm']);
    expect(profile.matmulShare).toBe(1);
    expect(profile.kernelMs).toBeGreaterThan(0);
    // FLOPs / kernel time: the rate is 2·m·k·n per run over the Gemm's own time.
    expect(profile.matmulGflops).toBeCloseTo((2 * m * k * n) / (profile.opMs[0].ms * 1e6), 6);
  });

  it('refuses profiles with no timed run, naming the files', () => {
    const lone = path.join(dir, 'lone.json');
    fs.writeFileSync(lone, JSON.stringify([{ cat: 'Session', name: 'model_run', ts: 1, dur: 5 }]));
    expect(() => readOpProfiles([lone])).toThrow(/no profiled session ran more than once \(lone\.json\)/);
  });
});
