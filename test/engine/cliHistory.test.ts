import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { studioDataRoot } from '../../src/main/store/dataFolder';
import { startStudio } from '../e2e/support/studioServer';
import { StudioClient } from '../host/support/studioClient';

/**
 * One data folder for the CLIs and the studio: with HOME an empty folder and no STUDIO_DATA_DIR, a CLI run lands in the
 * history (default project) of the folder Electron's userData would be, and browser mode started the same way lists it.
 */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-home-'));
const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home };
delete env.STUDIO_DATA_DIR;
delete env.XDG_CONFIG_HOME;
delete env.APPDATA;
const dataRoot = studioDataRoot({ platform: process.platform, env: {}, homeDir: home });

function run(entry: 'cli' | 'project' | 'models', args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.resolve('out/main', `${entry}.js`), ...args], { encoding: 'utf8', timeout: 240_000, env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('CLI runs are in the studio history', () => {
  let runId = '';

  it('`models list --json` names the built-in model; `generate --model ID --json` records the run with its outputs in the data folder', () => {
    const models = run('models', ['list', '--json']);
    expect(models.status, models.stderr).toBe(0);
    expect(JSON.parse(models.stdout)).toEqual([expect.objectContaining({ id: 'shapes-tiny', architecture: 'stdit3', builtin: true, sizeBytes: expect.any(Number) })]);
    expect(run('models', ['list']).stdout).toMatch(/^shapes-tiny\tShapes in motion .*\tstdit3\t\d+\.\d+ MB$/m);

    const made = run('cli', ['a red circle moving left on a blue background', '--model', 'shapes-tiny', '--steps', '4', '--seed', '5', '--json']);
    expect(made.status, made.stderr).toBe(0);
    const summary = JSON.parse(made.stdout) as { runId: string; projectId: string; mediaDir: string; outputs: string[]; seed: number };
    runId = summary.runId;
    expect(summary.projectId).toBe('default');
    expect(summary.mediaDir).toBe(path.join(dataRoot, 'outputs', runId));
    expect(summary.outputs).toContain(path.join(summary.mediaDir, 'clip.gif'));
    expect(fs.readFileSync(path.join(summary.mediaDir, 'clip.gif')).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(fs.existsSync(path.join(summary.mediaDir, 'thumb.png'))).toBe(true);

    const projects = run('project', ['list', '--json']);
    expect(projects.status, projects.stderr).toBe(0);
    expect(JSON.parse(projects.stdout)).toEqual([expect.objectContaining({ id: 'default', isDefault: true, runCount: 1 })]);
  });

  it('--project names a project that must exist; --no-history records nothing and writes to --out', () => {
    expect(run('cli', ['a red circle', '--steps', '2', '--project', 'Nope'])).toMatchObject({ status: 2, stderr: expect.stringContaining('No project named “Nope”. Projects: Default project.') });
    const out = path.join(home, 'elsewhere', 'clip');
    const loose = run('cli', ['a blue square', '--steps', '2', '--no-history', '--out', out, '--json']);
    expect(loose.status, loose.stderr).toBe(0);
    expect(JSON.parse(loose.stdout)).toMatchObject({ runId: null, outputs: expect.arrayContaining([`${out}.gif`]) });
    expect(JSON.parse(run('project', ['list', '--json']).stdout)).toEqual([expect.objectContaining({ runCount: 1 })]);
  });

  it('browser mode started with the same HOME lists the CLI run in History', async () => {
    expect(runId).not.toBe('');
    const studio = await startStudio({ HOME: home, USERPROFILE: home, STUDIO_DATA_DIR: undefined, XDG_CONFIG_HOME: undefined });
    try {
      const client = await StudioClient.connect(studio);
      const listed = await client.call('history.list', {});
      expect(listed.ok, JSON.stringify(listed.error)).toBe(true);
      const { entries } = listed.value as { entries: Array<{ id: string; prompt: string; status: string }> };
      expect(entries).toEqual([expect.objectContaining({ id: runId, prompt: 'a red circle moving left on a blue background', status: 'done' })]);
      client.close();
    } finally {
      await studio.stop();
    }
  });
});
