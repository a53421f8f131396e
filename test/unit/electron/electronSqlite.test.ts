import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureElectronSqlite, planElectronSqlite, readSqliteFacts } from '../../../scripts/electronSqlite.mjs';
import { electronSqliteBindingPath, resolveElectronSqliteBinding } from '../../../src/main/store/sqliteBindingPath.mjs';

/**
 * better-sqlite3 for Electron through `nativeBinding`: the decision and the paths, with the facts and the commands
 * injected (no Electron binary or prebuilt host is reachable here). The Node build in node_modules is never touched.
 */
const facts = { electronVersion: '45.5.0', betterSqliteVersion: '12.11.1', platform: 'darwin', arch: 'arm64', prebuildInstall: '/p/bin.js', nodeGyp: '/g/node-gyp.js' };

describe('where the Electron build lives', () => {
  it('one cache folder per better-sqlite3 × Electron × OS × CPU in the project; the packed file in a packaged app', () => {
    expect(electronSqliteBindingPath('/repo', facts)).toBe(path.join('/repo', 'node_modules', '.cache', 'studio-native', 'better-sqlite3-12.11.1-electron-45.5.0-darwin-arm64', 'better_sqlite3.node'));
    expect(resolveElectronSqliteBinding({ isPackaged: false, resourcesPath: '/app/Resources', projectRoot: '/repo', facts })).toBe(electronSqliteBindingPath('/repo', facts));
    expect(resolveElectronSqliteBinding({ isPackaged: true, resourcesPath: '/app/Resources', projectRoot: '/repo', facts })).toBe(path.join('/app/Resources', 'native', 'better_sqlite3.node'));
  });

  it('reads the versions from the project (this one: its electron and better-sqlite3)', () => {
    const read = readSqliteFacts(path.resolve('.'), { env: {} });
    expect(read.electronVersion).toBe(JSON.parse(fs.readFileSync('node_modules/electron/package.json', 'utf8')).version);
    expect(read.betterSqliteVersion).toBe(JSON.parse(fs.readFileSync('node_modules/better-sqlite3/package.json', 'utf8')).version);
  });
});

describe('the decision', () => {
  it('nothing without Electron; the cached build when present; else prebuilt first, then a source build', () => {
    expect(planElectronSqlite({ ...facts, electronVersion: undefined }, false)).toEqual({ kind: 'no-electron' });
    expect(planElectronSqlite(facts, true)).toEqual({ kind: 'ready' });
    expect(planElectronSqlite(facts, false)).toEqual({ kind: 'make', methods: ['prebuilt', 'source'] });
    expect(planElectronSqlite({ ...facts, prebuildInstall: undefined }, false)).toEqual({ kind: 'make', methods: ['source'] });
    expect(planElectronSqlite({ ...facts, prebuildInstall: undefined, nodeGyp: undefined }, false)).toMatchObject({ kind: 'cannot' });
  });
});

describe('making it', () => {
  function scratchProject(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-native-'));
    const pkg = path.join(root, 'node_modules', 'better-sqlite3');
    fs.mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
    fs.mkdirSync(path.join(pkg, 'src'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"better-sqlite3","version":"12.11.1"}');
    fs.writeFileSync(path.join(pkg, 'binding.gyp'), '{}');
    fs.writeFileSync(path.join(pkg, 'src', 'better_sqlite3.cpp'), '// source');
    fs.writeFileSync(path.join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'node-abi build');
    return root;
  }
  const nodeBuild = (root: string): string => fs.readFileSync(path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), 'utf8');
  /** A command that "builds" in its working folder (the staging copy), as prebuild-install and node-gyp do. */
  const succeeds = (label: string) => (args: string[], cwd: string) => {
    fs.mkdirSync(path.join(cwd, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(cwd, 'build', 'Release', 'better_sqlite3.node'), `${label}: ${args.slice(1).join(' ')}`);
    return { ok: true, output: '' };
  };

  it('fetches the prebuilt binary for the Electron runtime into the cache, prints what it does, and leaves the Node build alone', () => {
    const root = scratchProject();
    const lines: string[] = [];
    const calls: string[][] = [];
    const outcome = ensureElectronSqlite(root, { facts, log: (line) => lines.push(line), run: (args, cwd) => (calls.push(args), succeeds('prebuilt')(args, cwd)) });
    expect(outcome).toMatchObject({ ok: true, method: 'prebuilt', binding: electronSqliteBindingPath(root, facts) });
    expect(calls).toEqual([['/p/bin.js', '--runtime=electron', '--target=45.5.0', '--arch=arm64', '--platform=darwin']]);
    expect(fs.readFileSync(outcome.binding ?? '', 'utf8')).toBe('prebuilt: --runtime=electron --target=45.5.0 --arch=arm64 --platform=darwin');
    expect(nodeBuild(root)).toBe('node-abi build');
    expect(lines[0]).toMatch(/^better-sqlite3 12\.11\.1 has no build for Electron 45\.5\.0 yet: making one in .* \(node_modules\/better-sqlite3 stays Node's\)\.$/);
    expect(lines).toContain(`  done: ${outcome.binding}`);
    // The staging copy is gone; a second start finds the build and does nothing.
    expect(fs.readdirSync(path.dirname(path.dirname(outcome.binding ?? '')))).toEqual([path.basename(path.dirname(outcome.binding ?? ''))]);
    const again = ensureElectronSqlite(root, { facts, log: (line) => lines.push(line), run: () => ({ ok: false, output: 'must not run' }) });
    expect(again).toMatchObject({ ok: true, plan: { kind: 'ready' } });
  });

  it('falls back to a source build against Electron headers when no prebuilt binary is reachable', () => {
    const root = scratchProject();
    const lines: string[] = [];
    const outcome = ensureElectronSqlite(root, {
      facts,
      log: (line) => lines.push(line),
      run: (args, cwd) => (args[0] === '/p/bin.js' ? { ok: false, output: 'prebuild-install warn install getaddrinfo ENOTFOUND github.com' } : succeeds('source')(args, cwd)),
    });
    expect(outcome).toMatchObject({ ok: true, method: 'source' });
    expect(fs.readFileSync(outcome.binding ?? '', 'utf8')).toBe('source: rebuild --release --runtime=electron --target=45.5.0 --arch=arm64 --dist-url=https://electronjs.org/headers');
    expect(lines).toContain('  no prebuilt binary: prebuild-install warn install getaddrinfo ENOTFOUND github.com');
    expect(nodeBuild(root)).toBe('node-abi build');
  });

  it('when neither works: no file, the reasons in words, and the Node build untouched', () => {
    const root = scratchProject();
    const outcome = ensureElectronSqlite(root, { facts, log: () => undefined, run: () => ({ ok: false, output: 'gyp ERR! stack Error: connect ECONNREFUSED\n' }) });
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toBe('better-sqlite3 could not be made for Electron 45.5.0 (prebuilt: gyp ERR! stack Error: connect ECONNREFUSED; source: gyp ERR! stack Error: connect ECONNREFUSED)');
    expect(fs.existsSync(outcome.binding ?? '')).toBe(false);
    expect(nodeBuild(root)).toBe('node-abi build');
  });
});
