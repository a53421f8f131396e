#!/usr/bin/env node
// `npm test`: build, unit/integration tests (vitest), then end-to-end tests (Playwright + Chromium).
// Prints one summary line "N passed, N failed, N skipped" counting every test that ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt, repoRoot } from './lib.mjs';
import { addCounts, countPlaywright, countVitest, printSummary } from './testSummary.mjs';

const resultsDir = path.join(repoRoot, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });
const vitestJson = path.join(resultsDir, 'vitest.json');
const playwrightJson = path.join(resultsDir, 'playwright.json');
fs.rmSync(vitestJson, { force: true });
fs.rmSync(playwrightJson, { force: true });

ensureBuilt({ force: true, quiet: true });
const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);

const vitest = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${vitestJson}`], { cwd: repoRoot, stdio: 'inherit' });
const playwright = spawnSync(bin('playwright'), ['test'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson },
});

const counts = addCounts(countVitest(vitestJson, vitest.status), countPlaywright(playwrightJson, playwright.status));
printSummary(counts);
process.exit(vitest.status === 0 && playwright.status === 0 && counts.failed === 0 ? 0 : 1);
