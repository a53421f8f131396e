import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The headless CLI, as built (`npm test` builds first): real engine process, built-in model. */
const cli = path.resolve('out/main/cli.js');
// The runs these tests make are recorded in a scratch data folder, never the real one.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-data-'));

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, STUDIO_DATA_DIR: dataDir } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run generate (CLI)', () => {
  it('makes a GIF from the built-in model and prints one JSON object with --json', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-')), 'clip');
    const { status, stdout, stderr } = runCli(['a red circle moving left on a blue background', '--seed', '3', '--steps', '30', '--lpl', '15', '--memory-budget', 'min', '--out', out, '--json']);
    expect(status, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    for (const key of ['settings', 'seed', 'stepsRun', 'leapStep', 'mergedSteps', 'timingsMs', 'stepLatencyMs', 'peakRssBytes', 'peakResidentBytes', 'memoryBudgetBytes', 'outputs']) {
      expect(summary).toHaveProperty(key);
    }
    expect(summary.seed).toBe(3);
    expect(summary.stepsRun).toBe(16);
    expect(summary.leapStep).toBe(15);
    expect(Object.keys(summary.timingsMs)).toEqual(expect.arrayContaining(['text', 'denoise', 'decode', 'total']));
    expect(summary.peakResidentBytes).toBeLessThanOrEqual(summary.memoryBudgetBytes);
    expect(fs.readFileSync(`${out}.gif`).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(summary.outputs).toContain(`${out}.gif`);
    expect(stderr).toMatch(/step 16\/30/);
  });

  it('prints the summary table without --json', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-')), 'clip');
    const { status, stdout } = runCli(['a green square moving up on a black background', '--steps', '4', '--out', out]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/steps run \(model calls\)\s+4 of 4/);
    expect(stdout).toMatch(/peak RSS \(engine\)/);
  });

  it('refuses bad options before any compute, naming the problem', () => {
    expect(runCli(['a red circle', '--steps', 'many'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--steps needs an integer, got "many"') });
    expect(runCli(['a red circle', '--memory-budget', 'lots'])).toMatchObject({ status: 2, stderr: expect.stringContaining('Memory budget "lots" is not understood') });
    expect(runCli(['a red circle', '--steps', '10', '--lpl', '10'])).toMatchObject({ status: 2, stderr: expect.stringContaining('LPL leap step 10 must be below the step count 10') });
    expect(runCli(['', '--steps', '3'])).toMatchObject({ status: 2, stderr: expect.stringContaining('prompt is empty') });
    expect(runCli(['a red circle', '--model', '/no/such/model'])).toMatchObject({ status: 2, stderr: expect.stringContaining('Model package not found') });
    expect(runCli(['a red circle', '--frobnicate'])).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown option --frobnicate') });
  });

  it('makes a clip at a preset of an imported Open-Sora package (--resolution, --aspect, --frames) and refuses one it lacks', () => {
    const model = path.resolve('test/fixtures/packages/opensora-tiny');
    const made = runCli(['a cat walking in the snow', '--model', model, '--resolution', '144p', '--aspect', '1:1', '--frames', '1', '--steps', '1', '--seed', '2', '--json', '--out', path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-os-')), 'clip')]);
    expect(made.status, made.stderr).toBe(0);
    const summary = JSON.parse(made.stdout) as { frames: number; width: number; height: number; promptText: string; settings: { clip: unknown } };
    expect([summary.frames, summary.width, summary.height]).toEqual([1, 192, 192]);
    expect(summary.settings.clip).toEqual({ resolution: '144p', aspect: '1:1' });
    expect(summary.promptText).toBe('a cat walking in the snow aesthetic score: 6.5.');
    expect(runCli(['a cat', '--model', model, '--resolution', '1080p'])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('Model opensora-tiny has no resolution "1080p"; choose one of 144p, 240p, 360p, 480p.'),
    });
    expect(runCli(['a cat', '--model', model, '--frames', 'lots'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--frames needs an integer, got "lots"') });
  });
});
