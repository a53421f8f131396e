import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time (ms) of any file under dir (skipping node_modules). */
function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') {
      continue;
    }
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds main, preload and renderer with electron-vite unless out/ is newer than every source file. */
export function ensureBuilt({ force = false, quiet = false } = {}) {
  const marker = path.join(repoRoot, 'out', 'main', 'server.js');
  const sourcesMs = Math.max(newestMtimeMs(path.join(repoRoot, 'src')), fs.statSync(path.join(repoRoot, 'electron.vite.config.ts')).mtimeMs);
  if (!force && fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= sourcesMs) {
    return;
  }
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'electron-vite');
  const result = spawnSync(bin, ['build'], { cwd: repoRoot, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('The build failed (electron-vite build).\n');
    process.exit(result.status ?? 1);
  }
}

/** The Electron binary, if this machine has one (electron >= 42 downloads it lazily, not at install). */
export function electronBinaryPath() {
  const pkgDir = path.join(repoRoot, 'node_modules', 'electron');
  const pathFile = path.join(pkgDir, 'path.txt');
  if (process.env.ELECTRON_EXEC_PATH && fs.existsSync(process.env.ELECTRON_EXEC_PATH)) {
    return process.env.ELECTRON_EXEC_PATH;
  }
  if (!fs.existsSync(pathFile)) {
    return undefined;
  }
  const binary = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : undefined;
}

/**
 * Starts a built browser-mode server (default out/main/server.js) on a free port with STUDIO_DATA_DIR=dataDir and
 * resolves once it prints its URL: { url, pid, stop }.
 */
export function startBrowserServer(dataDir, serverFile = path.join(repoRoot, 'out', 'main', 'server.js')) {
  const child = spawn(process.execPath, [serverFile, '--port', '0'], { env: { ...process.env, STUDIO_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /STUDIO_URL=(\S+)/.exec(output);
      if (match) {
        clearInterval(poll);
        resolve({ url: match[1], pid: child.pid, stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) });
      }
    }, 50);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
}
