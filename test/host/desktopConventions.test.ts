import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputsFolderSetting } from '../../src/main/backend/outputsCopy';
import { startStudio } from '../e2e/support/studioServer';
import { StudioClient } from './support/studioClient';

/** The outputs-folder setting and the store banner, through the real browser-mode server and engine. */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-conventions-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the outputs folder setting', () => {
  it('refuses a relative path and a file, keeps a folder across restarts, and clears', () => {
    const setting = new OutputsFolderSetting(path.join(scratch, 'unit', 'settings.json'));
    expect(setting.get()).toEqual({ copyDir: null });
    expect(() => setting.set('clips')).toThrow('The outputs folder must be a full path, not "clips".');
    const file = path.join(scratch, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => setting.set(path.join(file, 'clips'))).toThrow(`Cannot write the outputs to ${path.join(file, 'clips')}: ${file} is a file, not a folder.`);
    const folder = path.join(scratch, 'unit-clips');
    expect(setting.set(folder)).toEqual({ copyDir: folder });
    expect(new OutputsFolderSetting(path.join(scratch, 'unit', 'settings.json')).get()).toEqual({ copyDir: folder });
    expect(setting.set(null)).toEqual({ copyDir: null });
  });

  it('a finished run is also saved there, in a folder named by time and prompt; the history keeps its own copy', async () => {
    const dataDir = path.join(scratch, 'data');
    const clipsDir = path.join(scratch, 'My Clips');
    const studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
    try {
      const client = await StudioClient.connect(studio);
      expect((await client.call('settings.setOutputs', { copyDir: clipsDir })).value).toEqual({ copyDir: clipsDir });
      const started = await client.call('generation.start', { prompt: 'a red circle moving left on a blue background', steps: 2, seed: 4 });
      const { jobId } = started.value as { jobId: string };
      await client.waitForEvent((event) => event.channel === 'generation.event' && (event.payload as { jobId: string; event: { kind: string } }).jobId === jobId && (event.payload as { event: { kind: string } }).event.kind === 'done');
      const [copy] = fs.readdirSync(clipsDir);
      expect(copy).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-a-red-circle-moving-left-on-a-blue-background$/);
      expect(fs.readdirSync(path.join(clipsDir, copy)).sort()).toEqual(expect.arrayContaining(['clip-frames', 'clip.gif', 'clip.json']));
      expect(fs.existsSync(path.join(dataDir, 'outputs', jobId, 'clip.gif'))).toBe(true);
      // The result's frames are URLs of the media route, and the route serves them.
      const result = (await client.call('generation.result', { jobId })).value as { frameUrls: string[] };
      expect(result.frameUrls.length).toBe(16);
      const served = await fetch(new URL(result.frameUrls[0], studio.origin));
      expect(served.headers.get('content-type')).toBe('image/png');
      client.close();
    } finally {
      await studio.stop();
    }
  });
});

describe('a database that cannot be opened', () => {
  it('the studio runs without history and store.health says why and what to do', async () => {
    const dataDir = path.join(scratch, 'broken');
    fs.mkdirSync(path.join(dataDir, 'studio.db'), { recursive: true });
    const studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
    try {
      const client = await StudioClient.connect(studio);
      const health = (await client.call('store.health', {})).value as { kind: string; reason: string; fix: string };
      expect(health.kind).toBe('unavailable');
      expect(health.reason).toContain(`${path.join(dataDir, 'studio.db')} could not be opened`);
      expect(health.fix).toMatch(/left untouched/);
      client.close();
    } finally {
      await studio.stop();
    }
  });
});
