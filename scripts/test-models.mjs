#!/usr/bin/env node
// `npm run test:models`: the model-tools suite (Python exporter and importer, ONNX vs PyTorch parity, committed
// fixtures still equal to what the exporter makes). Fails, naming the packages to install, where Python lacks them.
// Prints "N passed, N failed, N skipped" from vitest's JSON report, counting suite-level errors as failures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib.mjs';
import { pythonProblem, resolvePython } from './pythonEnv.mjs';
import { countVitest, printSummary } from './testSummary.mjs';

const python = resolvePython();
const problem = pythonProblem(python);
if (problem) {
  process.stderr.write(`\nnpm run test:models cannot run: ${problem}\n`);
  printSummary({ passed: 0, failed: 1, skipped: 0 });
  process.exit(1);
}

const resultsDir = path.join(repoRoot, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });
const reportFile = path.join(resultsDir, 'vitest-models.json');
fs.rmSync(reportFile, { force: true });
const vitest = spawnSync(
  path.join(repoRoot, 'node_modules', '.bin', 'vitest'),
  ['run', '--config', 'vitest.models.config.ts', '--reporter=default', '--reporter=json', `--outputFile=${reportFile}`, ...process.argv.slice(2)],
  { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, STUDIO_PYTHON: python } },
);
const counts = countVitest(reportFile, vitest.status);
printSummary(counts);
process.exit(vitest.status === 0 && counts.failed === 0 ? 0 : 1);
