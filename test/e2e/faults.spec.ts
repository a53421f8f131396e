import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { holdSqliteLock } from '../store/support/sqliteLocker';
import { freshArtifacts, openStudioPage, startStudio } from './support/studioServer';
import { showView } from './support/workspace';

/**
 * Faults as the user sees them in the browser: a history file locked by another program (a banner and a job
 * warning; the clip is shown; the row appears when the lock goes), and a studio killed mid-run (its runs come back
 * as "interrupted", ready to run again).
 */
test.use({ viewport: { width: 1440, height: 1400 } });
const ARTIFACTS = path.resolve('test-results', 'faults');

function scratchDataDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-faults-e2e-')), 'data');
}

test.beforeAll(() => {
  freshArtifacts('faults');
});

test('a locked history file: the studio says so once, shows the clip, and saves the run when the lock goes', async ({ page }) => {
  test.setTimeout(120_000);
  const dataDir = scratchDataDir();
  const studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
  let locker;
  try {
    await openStudioPage(page, studio);
    locker = await holdSqliteLock(path.join(dataDir, 'studio.db'));
    await page.getByTestId('prompt-input').fill('a red circle moving left');
    await page.getByTestId('steps-input').fill('3');
    await page.getByTestId('prompt-input').press('Control+Enter');
    await expect(page.getByTestId('storage-state')).toContainText('locked by another program', { timeout: 30_000 });
    await expect(page.getByTestId('job-warnings')).toContainText('STORAGE_UNAVAILABLE');
    await expect(page.getByTestId('job-warnings').locator('li', { hasText: 'STORAGE_UNAVAILABLE' })).toHaveCount(1);
    await expect(page.getByTestId('progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'locked-history.png') });
    await locker.release();
    locker = undefined;
    await expect(page.getByTestId('storage-state')).toHaveCount(0, { timeout: 30_000 });
    await showView(page, 'History');
    const rows = page.getByTestId('history-table').getByTestId('history-row');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-status', 'done');
  } finally {
    await locker?.release();
    await studio.stop();
  }
});

test('a studio killed mid-run lists its runs as interrupted, and "Use again" refills the composer', async ({ page }) => {
  test.setTimeout(120_000);
  const dataDir = scratchDataDir();
  const first = await startStudio({ STUDIO_DATA_DIR: dataDir });
  await openStudioPage(page, first);
  await page.getByTestId('prompt-input').fill('a yellow square moving up');
  await page.getByTestId('steps-input').fill('200');
  await page.getByTestId('seed-mode').selectOption('locked');
  await page.getByTestId('seed-input').fill('77');
  await page.getByTestId('prompt-input').press('Control+Enter');
  await showView(page, 'History');
  await expect(page.getByTestId('history-table').getByTestId('history-row').first()).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
  first.process.kill('SIGKILL');
  await new Promise((resolve) => first.process.once('exit', resolve));

  const second = await startStudio({ STUDIO_DATA_DIR: dataDir });
  try {
    await openStudioPage(page, second);
    // Another port, another origin: the view chosen there is not remembered here.
    await showView(page, 'History');
    const row = page.getByTestId('history-table').getByTestId('history-row').first();
    await expect(row).toHaveAttribute('data-status', 'interrupted');
    await expect(row.locator('.status-tag')).toHaveText('interrupted');
    await page.screenshot({ path: path.join(ARTIFACTS, 'interrupted-run.png') });
    await page.getByTestId('prompt-input').fill('');
    await row.getByTestId('history-use-again').click();
    await expect(page.getByTestId('prompt-input')).toHaveValue('a yellow square moving up');
    await expect(page.getByTestId('steps-input')).toHaveValue('200');
    await expect(page.getByTestId('seed-input')).toHaveValue('77');
  } finally {
    await second.stop();
  }
});
