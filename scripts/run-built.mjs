#!/usr/bin/env node
// Runs a bundled Node entry of the studio (cli, bench, …) after making sure the build is current.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt, repoRoot } from './lib.mjs';

const [entry, ...rest] = process.argv.slice(2);
ensureBuilt({ quiet: true });
const file = path.join(repoRoot, 'out', 'main', `${entry}.js`);
if (!fs.existsSync(file)) {
  process.stderr.write(`No built entry "${entry}" (${file}).\n`);
  process.exit(2);
}
const child = spawn(process.execPath, [file, ...rest], {
  stdio: 'inherit',
  env: process.platform === 'linux' ? { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=1048576' } : process.env,
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
