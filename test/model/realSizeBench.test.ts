import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RealSizeResults } from '../../src/main/bench/realSize/report';
import { makeTempDir, runTool } from './opensoraTools';

/**
 * `import-model --random` and `npm run bench -- --real-size`, end to end on the small configuration (the real one
 * writes ≈ 10 GB and takes about half an hour: it is the bench's own run, not a test). Every figure the issue asks
 * for must be in the JSON, measured (finite, positive) and consistent with what was configured.
 */
describe('real-size bench, on a random package of the small configuration', () => {
  it('imports random checkpoints, runs every probe and writes every field', () => {
    const dir = makeTempDir('studio-realsize-');
    const model = path.join(dir, 'pkg');
    const checkpoints = path.join(dir, 'pkg-checkpoints');
    const made = runTool('import_model.py', ['--random', '--config', 'small', '--out', model, '--keep-checkpoints', checkpoints]);
    expect(made.status, made.stderr).toBe(0);
    expect(fs.existsSync(path.join(checkpoints, 'stdit', 'model.safetensors'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(model, 'manifest.json'), 'utf8')).name).toBe('Open-Sora 1.2 (random weights, small)');

    const outDir = path.join(dir, 'results');
    const bench = spawnSync(process.execPath, [path.resolve('scripts/run-built.mjs'), 'bench', '--real-size', '--model', model, '--out-dir', outDir], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(bench.status, bench.stderr).toBe(0);
    expect(bench.stdout).toMatch(/(met|missed) +engine step ≥ 1\.1× faster than PyTorch eager/);
    const results = JSON.parse(fs.readFileSync(path.join(outDir, 'real-size.json'), 'utf8')) as RealSizeResults;
    const positive = (value: unknown, name: string): void => {
      expect(typeof value === 'number' && Number.isFinite(value) && value > 0, `${name} = ${String(value)}`).toBe(true);
    };
    for (const row of ['resident', 'budget50', 'budget25', 'min'] as const) {
      for (const field of ['stepMs', 'peakRssBytes', 'budgetBytes', 'activationBytes', 'baselineBytes'] as const) {
        positive(results.steps[row][field], `steps.${row}.${field}`);
      }
    }
    const { resident, budget50, budget25, min } = results.steps;
    expect(resident.residentUnits).toBe(resident.units);
    expect(resident.hiddenLoadShare).toBeNull(); // nothing loads in a step once every unit is resident
    expect(min.residentUnits).toBe(0);
    expect(min.hiddenLoadShare).toBeGreaterThan(0);
    expect(min.hiddenLoadShare).toBeLessThanOrEqual(1);
    expect(budget25.budgetBytes).toBeLessThanOrEqual(budget50.budgetBytes);
    expect(min.budgetBytes).toBeLessThanOrEqual(budget25.budgetBytes);
    expect(results.preset).toMatchObject({ resolution: '144p', aspect: '16:9', frames: 51, latent: { frames: 15, height: 18, width: 32 }, cfgBatch: 2 });
    for (const [name, value] of Object.entries({
      'tdtm.normalStepMs': results.tdtm.normalStepMs,
      'tdtm.mergedStepMs': results.tdtm.mergedStepMs,
      'lpl.endToEnd.fullMs': results.lpl.endToEnd.fullMs,
      'lpl.endToEnd.leapMs': results.lpl.endToEnd.leapMs,
      'lpl.computed.fullMs': results.lpl.computed.fullMs,
      'tdtm.normalGflop': results.tdtm.normalGflop,
      'tdtm.mergedGflop': results.tdtm.mergedGflop,
      't5.blockMs': results.t5.blockMs,
      't5.totalMsComputed': results.t5.totalMsComputed,
      't5.peakRssBytes': results.t5.peakRssBytes,
      't5.budgetBytes': results.t5.budgetBytes,
      'vae.decodeMs': results.vae.decodeMs,
      'vae.peakRssBytes': results.vae.peakRssBytes,
      'pytorch.stepMs': results.pytorch.stepMs,
      'gemm.peakGflops': results.gemm.peakGflops,
      'gemm.engineGflops': results.gemm.engineGflops,
      'warm.coldFirstStepMs': results.warm.coldFirstStepMs,
      'warm.warmFirstStepMs': results.warm.warmFirstStepMs,
    })) {
      positive(value, name);
    }
    // Every timing is a median of 3 runs after a warm-up, listed beside it, on both sides.
    expect(results.repeats).toBe(3);
    for (const [name, runs, value] of [
      ['steps.resident', results.steps.resident.stepMsRuns, results.steps.resident.stepMs],
      ['steps.min', results.steps.min.stepMsRuns, results.steps.min.stepMs],
      ['tdtm.normalStep', results.tdtm.normalStepMsRuns, results.tdtm.normalStepMs],
      ['tdtm.mergedStep', results.tdtm.mergedStepMsRuns, results.tdtm.mergedStepMs],
      ['pytorch.step', results.pytorch.stepMsRuns, results.pytorch.stepMs],
      ['vae.decode', results.vae.decodeMsRuns, results.vae.decodeMs],
      ['lpl.endToEnd.full', results.lpl.endToEnd.fullMsRuns, results.lpl.endToEnd.fullMs],
      ['warm.coldFirstStep', results.warm.coldFirstStepMsRuns, results.warm.coldFirstStepMs],
    ] as const) {
      expect(runs, name).toHaveLength(3);
      expect([...runs].sort((a, b) => a - b)[1], name).toBeCloseTo(value, 0);
    }
    expect(results.pytorch.threads).toBe(results.engine.threads);
    expect(results.machine.physicalCores).toBe(results.engine.threads);
    // LPL end to end: real jobs at the image preset, 30 model calls against 16.
    expect(results.lpl.endToEnd).toMatchObject({ fullCalls: 30, leapCalls: 16 });
    expect(results.lpl.endToEnd.preset).toContain('1 frame');
    // The computed 51-frame figure: its two runs share the fixed costs and differ by 14 steps.
    expect(results.lpl.computed.fullMs - results.lpl.computed.leapMs).toBeCloseTo(14 * results.steps.resident.stepMs, 3);
    expect(results.tdtm.mergedGflop).toBeLessThan(results.tdtm.normalGflop);
    expect(results.t5.totalBlocks).toBe(24);
    expect(results.vae.frames).toBe(51);
    expect(results.warm.warmFirstStepMs).toBeLessThan(results.warm.coldFirstStepMs);
    expect(results.sessionOptions.map((row) => row.variant)).toEqual(['engine', 'arena', 'spinning', 'no-prepacking', 'graph-basic', 'one-thread', 'ort-threads']);
    for (const row of results.sessionOptions) {
      positive(row.computeMs, `sessionOptions.${row.variant}.computeMs`);
      positive(row.peakRssBytes, `sessionOptions.${row.variant}.peakRssBytes`);
    }
    expect(fs.readFileSync(path.join(outDir, 'real-size.md'), 'utf8')).toMatch(/\| goal \| measured \| met \|/);
  }, 900_000);

  it('refuses an existing package folder before writing any checkpoint', () => {
    const dir = makeTempDir('studio-realsize-');
    const model = path.join(dir, 'pkg');
    fs.mkdirSync(model);
    fs.writeFileSync(path.join(model, 'keep.txt'), 'mine');
    const checkpoints = path.join(dir, 'ck');
    const result = runTool('import_model.py', ['--random', '--config', 'small', '--out', model, '--keep-checkpoints', checkpoints]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/already exists; choose a new folder/);
    expect(fs.existsSync(checkpoints)).toBe(false);
    expect(fs.readdirSync(model)).toEqual(['keep.txt']);
  });

  it('names the command that makes the real-size package when it is missing', () => {
    const missing = path.join(makeTempDir('studio-realsize-'), 'none');
    const bench = spawnSync(process.execPath, [path.resolve('scripts/run-built.mjs'), 'bench', '--real-size', '--model', missing], { encoding: 'utf8', timeout: 120_000 });
    expect(bench.status).toBe(1);
    expect(bench.stderr).toContain('npm run import-model:python -- --random --config opensora-1.2');
  });
});
