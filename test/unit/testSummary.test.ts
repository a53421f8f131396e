import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { countPlaywright, countVitest } from '../../scripts/testSummary.mjs';

/**
 * The "N passed, N failed, N skipped" line of `npm test` and `npm run test:models` comes from the runners' own
 * reports. Vitest reports the tests of a file whose beforeAll failed as skipped, and Playwright reports a failing
 * global setup outside any test: both must count as failures. Real runs of both runners on scratch projects.
 */
interface Counts { passed: number; failed: number; skipped: number }
const REPO = path.resolve(__dirname, '../..');
const SCRATCH = path.join(REPO, 'test-results', 'summary-probe');
const bin = (name: string): string => path.join(REPO, 'node_modules', '.bin', name);

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeAll(() => {
  fs.rmSync(SCRATCH, { recursive: true, force: true });
});
afterAll(() => {
  fs.rmSync(SCRATCH, { recursive: true, force: true });
});

describe('test summary counts', () => {
  it('counts a failing beforeAll as a failure although vitest reports its tests as skipped', () => {
    const dir = path.join(SCRATCH, 'vitest');
    write(path.join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.probe.ts'] } };\n");
    write(path.join(dir, 'hook.probe.ts'), [
      "import { beforeAll, describe, expect, it } from 'vitest';",
      "describe('fixture that dies', () => {",
      "  beforeAll(() => { throw new Error('fixture script died'); });",
      '  it("a", () => expect(1).toBe(1));',
      '  it("b", () => expect(2).toBe(2));',
      '});',
      '',
    ].join('\n'));
    write(path.join(dir, 'ok.probe.ts'), "import { expect, it } from 'vitest';\nit('passes', () => expect(true).toBe(true));\n");
    const report = path.join(dir, 'report.json');
    const run = spawnSync(bin('vitest'), ['run', '--root', dir, '--reporter=json', `--outputFile=${report}`], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    const raw = JSON.parse(fs.readFileSync(report, 'utf8')) as { numFailedTests: number };
    expect(raw.numFailedTests).toBe(0); // what the old summary read: "0 failed"
    const counts = countVitest(report, run.status) as Counts;
    expect(counts).toEqual({ passed: 1, failed: 1, skipped: 2 });
  });

  it('counts an import error in a test file as a failure', () => {
    const dir = path.join(SCRATCH, 'vitest-import');
    write(path.join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.probe.ts'] } };\n");
    write(path.join(dir, 'broken.probe.ts'), "import { missing } from './does-not-exist';\nimport { it } from 'vitest';\nit('never runs', () => missing());\n");
    const report = path.join(dir, 'report.json');
    const run = spawnSync(bin('vitest'), ['run', '--root', dir, '--reporter=json', `--outputFile=${report}`], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect((countVitest(report, run.status) as Counts).failed).toBe(1);
  });

  it('counts a failing Playwright global setup as a failure', () => {
    const dir = path.join(SCRATCH, 'playwright');
    write(path.join(dir, 'playwright.config.mjs'), [
      "export default { testDir: '.', testMatch: '*.pw.mjs', globalSetup: './setup.mjs', reporter: [['json']] };",
      '',
    ].join('\n'));
    write(path.join(dir, 'setup.mjs'), "export default async function () { throw new Error('no browser here'); }\n");
    write(path.join(dir, 'one.pw.mjs'), "import { test, expect } from '@playwright/test';\ntest('never runs', () => expect(1).toBe(1));\n");
    const report = path.join(dir, 'report.json');
    const run = spawnSync(bin('playwright'), ['test', '--config', path.join(dir, 'playwright.config.mjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
    });
    expect(run.status).not.toBe(0);
    const counts = countPlaywright(report, run.status) as Counts;
    expect(counts.failed).toBeGreaterThanOrEqual(1);
    expect(counts.passed).toBe(0);
  });

  it('counts a missing report as a failure', () => {
    expect((countVitest(path.join(SCRATCH, 'nothing.json'), 0) as Counts).failed).toBe(1);
    expect((countPlaywright(path.join(SCRATCH, 'nothing.json'), 0) as Counts).failed).toBe(1);
  });
});
