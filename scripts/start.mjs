#!/usr/bin/env node
// `npm start [-- --browser] [-- --port N]`: builds the studio, then opens it as a desktop window where an
// Electron binary exists, otherwise serves it on 127.0.0.1 (browser mode) and prints the URL.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureElectronSqlite } from './electronSqlite.mjs';
import { electronBinaryPath, ensureBuilt, repoRoot } from './lib.mjs';

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const passThrough = args.filter((arg) => arg !== '--browser');

ensureBuilt({ force: true });

let electron = forceBrowser ? undefined : electronBinaryPath();
if (!forceBrowser && !electron && process.platform === 'darwin') {
  // On a Mac the binary is fetched once, before the first start.
  process.stdout.write('Fetching the Electron binary (first start)…\n');
  spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'install-electron'), [], { cwd: repoRoot, stdio: 'inherit' });
  electron = electronBinaryPath();
}

let child;
if (electron) {
  // The window's history needs better-sqlite3 built for Electron: made once into the project's cache (see the script).
  ensureElectronSqlite(repoRoot);
  process.stdout.write('Starting the studio window (Electron).\n');
  child = spawn(electron, [repoRoot, ...passThrough], { cwd: repoRoot, stdio: 'inherit' });
} else {
  if (!forceBrowser) {
    process.stdout.write('No Electron binary on this machine: starting the studio in browser mode.\n');
  }
  child = spawn(process.execPath, [path.join(repoRoot, 'out', 'main', 'server.js'), ...passThrough], { cwd: repoRoot, stdio: 'inherit' });
}

// Ctrl+C reaches the child too (same process group); wait for it to clean up, then leave with its status.
const forward = (signal) => () => child.kill(signal);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
