#!/usr/bin/env node
// Runs a bundled Node entry of the studio (cli, bench, …) after making sure the build is current.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt, repoRoot } from './lib.mjs';
import { resolvePython } from './pythonEnv.mjs';

const [entry, ...rest] = process.argv.slice(2);
ensureBuilt({ quiet: true });
const file = path.join(repoRoot, 'out', 'main', `${entry}.js`);
if (!fs.existsSync(file)) {
  process.stderr.write(`No built entry "${entry}" (${file}).\n`);
  process.exit(2);
}
// The entries start the engine in its own process with the allocator settings it needs (engineProcessEnv).
// The bench's real-size mode also times PyTorch: it finds the model tools' Python through STUDIO_PYTHON.
const child = spawn(process.execPath, [file, ...rest], { stdio: 'inherit', env: { ...process.env, STUDIO_PYTHON: resolvePython() } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
