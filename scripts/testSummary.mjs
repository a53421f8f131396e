// Counts from the test runners' own JSON reports, for the one summary line "N passed, N failed, N skipped".
// A suite-level error (a failing beforeAll/afterAll, an import error, a dying fixture script, an error outside any
// test) counts as one failure: vitest reports the tests of such a file as skipped, which would otherwise hide it.
import fs from 'node:fs';

/** Counts of a vitest JSON report (jest-compatible format); `exitStatus` catches errors no report entry names. */
export function countVitest(reportFile, exitStatus) {
  if (!fs.existsSync(reportFile)) {
    process.stderr.write(`vitest wrote no report (${reportFile}): counted as one failure.\n`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let suiteErrors = 0;
  for (const file of report.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    passed += tests.filter((t) => t.status === 'passed').length;
    const failedHere = tests.filter((t) => t.status === 'failed').length;
    failed += failedHere;
    skipped += tests.filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo').length;
    if (file.status === 'failed' && failedHere === 0) {
      suiteErrors += 1;
      process.stderr.write(`Suite-level error in ${file.name}: ${String(file.message ?? '').split('\n')[0] || 'a hook or the file itself failed (see the output above)'}\n`);
    }
  }
  failed += suiteErrors;
  if (exitStatus !== 0 && failed === 0) {
    failed += 1; // e.g. an unhandled error between tests: vitest fails the run without failing a test
    process.stderr.write('vitest failed outside any test; see its output above.\n');
  }
  return { passed, failed, skipped };
}

/** Counts of a Playwright JSON report; global-setup failures and errors outside tests count as failures. */
export function countPlaywright(reportFile, exitStatus) {
  if (!fs.existsSync(reportFile)) {
    process.stderr.write(`Playwright wrote no report (${reportFile}): counted as one failure.\n`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const stats = report.stats ?? {};
  const outsideErrors = (report.errors ?? []).length;
  let failed = (stats.unexpected ?? 0) + outsideErrors;
  if (exitStatus !== 0 && failed === 0) {
    failed += 1;
    process.stderr.write('Playwright failed outside any test; see its output above.\n');
  }
  return { passed: (stats.expected ?? 0) + (stats.flaky ?? 0), failed, skipped: stats.skipped ?? 0 };
}

export function addCounts(...all) {
  return all.reduce((sum, c) => ({ passed: sum.passed + c.passed, failed: sum.failed + c.failed, skipped: sum.skipped + c.skipped }), { passed: 0, failed: 0, skipped: 0 });
}

export function printSummary({ passed, failed, skipped }) {
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
}
