import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { legacyDataRoots, STUDIO_APP_NAME, studioDataRoot, type HostFacts } from '../../src/main/store/dataFolder';
import { adoptLegacyDataFolder, openDataFolder } from '../../src/main/store/legacyDataFolder';

/** One data folder for every entry point: where Electron's userData is, computed without Electron; moved once from the old place. */
const mac: HostFacts = { platform: 'darwin', env: {}, homeDir: '/u/ada' };
const linux: HostFacts = { platform: 'linux', env: {}, homeDir: '/u/ada' };
const windows: HostFacts = { platform: 'win32', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, homeDir: 'C:\\Users\\ada' };

describe('the data folder is Electron userData for this app on each OS', () => {
  it('macOS: ~/Library/Application Support/NAME', () => {
    expect(studioDataRoot(mac)).toBe('/u/ada/Library/Application Support/On-device Sora Studio');
  });

  it('Linux: $XDG_CONFIG_HOME/NAME, else ~/.config/NAME (a relative XDG_CONFIG_HOME is ignored, as the spec says)', () => {
    expect(studioDataRoot(linux)).toBe('/u/ada/.config/On-device Sora Studio');
    expect(studioDataRoot({ ...linux, env: { XDG_CONFIG_HOME: '/data/cfg' } })).toBe('/data/cfg/On-device Sora Studio');
    expect(studioDataRoot({ ...linux, env: { XDG_CONFIG_HOME: 'cfg' } })).toBe('/u/ada/.config/On-device Sora Studio');
  });

  it('Windows: %APPDATA%\\NAME, else the roaming folder under the profile', () => {
    expect(studioDataRoot(windows)).toBe('C:\\Users\\ada\\AppData\\Roaming\\On-device Sora Studio');
    expect(studioDataRoot({ ...windows, env: {} })).toBe('C:\\Users\\ada\\AppData\\Roaming\\On-device Sora Studio');
  });

  it('STUDIO_DATA_DIR overrides it on every OS', () => {
    for (const facts of [mac, linux, windows]) {
      expect(studioDataRoot({ ...facts, env: { ...facts.env, STUDIO_DATA_DIR: '/tmp/studio-data' } })).toBe('/tmp/studio-data');
    }
  });

  it('NAME is the productName Electron and electron-builder read', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { productName?: string };
    expect(pkg.productName).toBe(STUDIO_APP_NAME);
    expect(fs.readFileSync(path.resolve('electron-builder.yml'), 'utf8')).not.toMatch(/^productName:(?! On-device Sora Studio$)/m);
  });
});

describe('a data folder at an old place is moved once', () => {
  function scratchHome(): HostFacts {
    return { platform: 'linux', env: {}, homeDir: fs.mkdtempSync(path.join(os.tmpdir(), 'studio-home-')) };
  }

  it('moves ~/.on-device-sora-studio into the new folder with one line, keeping what Electron already put there', () => {
    const facts = scratchHome();
    const [old] = legacyDataRoots(facts);
    fs.mkdirSync(path.join(old, 'outputs', 'run-1'), { recursive: true });
    fs.writeFileSync(path.join(old, 'studio.db'), 'db');
    fs.writeFileSync(path.join(old, 'outputs', 'run-1', 'clip.gif'), 'gif');
    const root = studioDataRoot(facts);
    fs.mkdirSync(path.join(root, 'Cache'), { recursive: true });
    const lines: string[] = [];
    const folder = openDataFolder({ facts, log: (line) => lines.push(line) });
    expect(folder.root).toBe(root);
    expect(fs.readFileSync(folder.databasePath, 'utf8')).toBe('db');
    expect(fs.readFileSync(path.join(folder.outputsDir, 'run-1', 'clip.gif'), 'utf8')).toBe('gif');
    expect(fs.existsSync(path.join(root, 'Cache'))).toBe(true);
    expect(fs.existsSync(old)).toBe(false);
    expect(lines).toEqual([`Moved the studio's data from ${old} to ${root} (its new place, shared by the window, browser mode and the CLIs).`]);
    // Once: the next start finds the database in place and says nothing.
    openDataFolder({ facts, log: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
  });

  it('leaves both alone when the new folder already has a database, and when STUDIO_DATA_DIR names the folder', () => {
    const facts = scratchHome();
    const [old] = legacyDataRoots(facts);
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, 'studio.db'), 'old');
    const root = studioDataRoot(facts);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'studio.db'), 'new');
    expect(adoptLegacyDataFolder(root, { facts, log: () => undefined })).toBeNull();
    expect(fs.readFileSync(path.join(old, 'studio.db'), 'utf8')).toBe('old');

    const chosen = path.join(facts.homeDir, 'chosen');
    const lines: string[] = [];
    fs.rmSync(root, { recursive: true });
    expect(openDataFolder({ facts: { ...facts, env: { STUDIO_DATA_DIR: chosen } }, log: (line) => lines.push(line) }).root).toBe(chosen);
    expect(lines).toEqual([]);
    expect(fs.existsSync(path.join(old, 'studio.db'))).toBe(true);
  });

  it('moves the window\'s old userData (named after the package) too', () => {
    const facts = scratchHome();
    const windowOld = legacyDataRoots(facts)[1];
    expect(windowOld).toBe(path.join(facts.homeDir, '.config', 'on-device-sora-studio'));
    fs.mkdirSync(windowOld, { recursive: true });
    fs.writeFileSync(path.join(windowOld, 'studio.db'), 'db');
    const folder = openDataFolder({ facts, log: () => undefined });
    expect(fs.readFileSync(folder.databasePath, 'utf8')).toBe('db');
  });
});
