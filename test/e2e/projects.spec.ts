import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { useScratchStudio } from './support/studioServer';
import { showView } from './support/workspace';

/**
 * Projects in browser mode: three runs, one made from another ("Use again") and a comparison in a new project, "Export project…" downloads one zip, the
 * project is deleted with its files, "Import project…" brings it back with its runs playable, its comparison
 * reopening (SSIM/PSNR against the baseline) and the history's search, sort and star working on it.
 */
test.use({ viewport: { width: 1440, height: 1600 }, acceptDownloads: true });

const ARTIFACTS = path.resolve('test-results', 'projects');
const PROJECT = 'Circles study';
const RED = 'a red circle moving left';
const BLUE = 'a blue square moving right';
const GREEN = 'a green triangle moving down';
const COMPARED = 'a yellow star bouncing';
const DERIVED = 'a red circle moving up';

const openStudio = useScratchStudio('projects');

async function generate(page: Page, prompt: string, seed: number): Promise<void> {
  await page.getByTestId('prompt-input').fill(prompt);
  await page.getByTestId('steps-input').fill('2');
  await page.getByTestId('seed-mode').selectOption('locked');
  await page.getByTestId('seed-input').fill(String(seed));
  await page.getByTestId('lpl-mode').selectOption('off');
  await page.getByTestId('prompt-input').press('Control+Enter');
}

test('a project with three runs and a comparison survives export → delete → import', async ({ page }) => {
  test.setTimeout(150_000);
  await openStudio(page);
  const history = page.getByTestId('history-panel');
  const rows = page.getByTestId('history-table').getByTestId('history-row');
  const rowOf = (prompt: string) => rows.filter({ has: page.getByTestId('history-prompt').getByText(prompt, { exact: true }) });

  // A new project becomes the current one: new runs go into it and the history shows it.
  await showView(page, 'Projects');
  await page.getByTestId('project-new').click();
  await page.getByTestId('project-name-input').fill(PROJECT);
  await page.getByTestId('project-name-save').click();
  await expect(page.getByTestId('projects-status')).toContainText(`Created “${PROJECT}”`);
  await expect(page.getByTestId('project-select').locator('option:checked')).toContainText(PROJECT);
  await expect(page.getByRole('tab', { name: 'Projects', exact: true })).toContainText(PROJECT);
  const listed = page.getByTestId('project-list').getByTestId('project-row');
  await expect(listed).toHaveCount(2);
  await expect(listed.filter({ hasText: PROJECT })).toHaveAttribute('aria-current', 'true');

  await showView(page, 'History');
  for (const [index, prompt] of [RED, BLUE, GREEN].entries()) {
    await generate(page, prompt, 20 + index);
    await expect(rows).toHaveCount(index + 1, { timeout: 40_000 });
  }
  await expect(rowOf(RED).getByTestId('history-thumbnail')).toHaveAttribute('data-state', 'still');
  await rowOf(RED).getByTestId('history-thumbnail').hover();
  await expect(rowOf(RED).getByTestId('history-thumbnail')).toHaveAttribute('data-state', 'playing');
  await rowOf(RED).getByTestId('history-star').click();
  await expect(rowOf(RED)).toHaveAttribute('data-starred', 'true');

  // "Use again" on the red circle, a changed prompt: the new run records where it came from.
  await rowOf(RED).getByTestId('history-use-again').click();
  await page.getByTestId('prompt-input').fill(DERIVED);
  await page.getByTestId('prompt-input').press('Control+Enter');
  await expect(rows).toHaveCount(4, { timeout: 40_000 });
  await expect(rowOf(DERIVED)).toHaveAttribute('data-derived-from', (await rowOf(RED).getAttribute('data-entry-id')) ?? 'missing');

  // A comparison of two variants in the same project (two more runs).
  await generateComparison(page);
  await expect(history).toHaveAttribute('data-total', '6');

  // Export project…: one zip downloaded.
  await showView(page, 'Projects');
  const downloading = page.waitForEvent('download');
  await page.getByTestId('project-export').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${PROJECT}.zip`);
  const zipFile = path.join(ARTIFACTS, download.suggestedFilename());
  await download.saveAs(zipFile);
  expect(fs.readFileSync(zipFile).subarray(0, 2).toString()).toBe('PK');
  await expect(page.getByTestId('projects-status')).toContainText('Exported');

  // Delete it, after confirming: its runs go from the history.
  await page.getByTestId('project-delete').click();
  await page.getByTestId('project-confirm-delete').click();
  await expect(page.getByTestId('projects-status')).toContainText(`Deleted “${PROJECT}” and its 6 runs`);
  await expect(page.getByTestId('project-select').locator('option')).toHaveCount(1);
  await expect(history).toHaveAttribute('data-total', '0');

  // Import project…: it comes back as the current project.
  await page.getByTestId('project-import-file').setInputFiles(zipFile);
  await expect(page.getByTestId('projects-status')).toContainText(`Imported “${PROJECT}”: 6 runs, 1 comparison.`, { timeout: 30_000 });
  await expect(page.getByTestId('project-select').locator('option:checked')).toContainText(PROJECT);
  await expect(history).toHaveAttribute('data-total', '6');
  await showView(page, 'History');
  await expect(rowOf(RED)).toHaveAttribute('data-starred', 'true');
  // Lineage survives with the new ids.
  const importedRed = (await rowOf(RED).getAttribute('data-entry-id')) ?? 'missing';
  await expect(rowOf(DERIVED)).toHaveAttribute('data-derived-from', importedRed);
  await expect(rowOf(DERIVED).getByTestId('history-derived')).toBeVisible();

  // Its runs play in the result player, with their record: "Open" shows it in the studio's stage.
  await rowOf(BLUE).getByTestId('history-open').click();
  await expect(page.getByRole('tab', { name: 'Studio', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('result-view')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('result-select').locator('option:checked')).toContainText(BLUE);
  await expect(page.getByTestId('player-canvas')).toBeVisible();

  // Its comparison reopens as it was, measured against the baseline.
  await showView(page, 'Compare');
  await page.getByTestId('compare-saved').selectOption({ index: 1 });
  const cells = page.getByTestId('compare-panel').getByTestId('compare-cell');
  await expect(cells).toHaveCount(2);
  await expect(cells.nth(0)).toHaveAttribute('data-status', 'done');
  await expect(cells.nth(1)).toHaveAttribute('data-status', 'done');
  await expect(cells.nth(1)).toHaveAttribute('data-ssim', /^(1|0\.\d+)/);
  await expect(cells.nth(1).getByTestId('compare-psnr')).toHaveText(/dB$/);
  await expect(cells.nth(0).getByTestId('compare-ssim')).toHaveText('baseline');
  await page.getByTestId('compare-show-difference').check();
  await expect(cells.nth(1).getByTestId('compare-canvas')).toHaveAttribute('data-view', 'difference');

  // Search, sort and star on the imported runs.
  await showView(page, 'History');
  await page.getByTestId('history-search').fill('blue');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId('history-prompt')).toHaveText(BLUE);
  await page.getByTestId('history-search').fill('');
  await expect(rows).toHaveCount(6);
  await page.getByTestId('history-sort-prompt').click();
  await expect(page.getByTestId('history-header-prompt')).toHaveAttribute('aria-sort', 'ascending');
  await expect(rows.first().getByTestId('history-prompt')).toHaveText(BLUE);
  await rowOf(GREEN).getByTestId('history-star').click();
  await page.getByTestId('history-filter-starred').check();
  await expect(rows).toHaveCount(2);
  expect((await rows.getByTestId('history-prompt').allTextContents()).sort()).toEqual([GREEN, RED].sort());
  await page.screenshot({ path: path.join(ARTIFACTS, 'projects-after-import.png'), fullPage: true });

  // The project list makes another project current in one click: new runs and the history follow it.
  await showView(page, 'Projects');
  const defaultRow = page.getByTestId('project-list').locator('[data-testid="project-row"][data-project-id="default"]');
  await defaultRow.getByRole('button', { name: /^Make .* the current project$/ }).click();
  await expect(defaultRow).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('project-select')).toHaveValue('default');
  await expect(history).toHaveAttribute('data-total', '0');
});

async function generateComparison(page: Page): Promise<void> {
  await page.getByTestId('prompt-input').fill(COMPARED);
  await page.getByTestId('steps-input').fill('4');
  await page.getByTestId('seed-input').fill('5');
  await showView(page, 'Compare');
  await page.getByTestId('variant-reset').click();
  const variants = page.getByTestId('compare-panel').getByTestId('compare-variant');
  while ((await variants.count()) > 2) {
    await page.getByTestId(`variant-remove-${(await variants.count()) - 1}`).click();
  }
  await page.getByTestId('compare-start').click();
  const cells = page.getByTestId('compare-panel').getByTestId('compare-cell');
  await expect(cells).toHaveCount(2);
  for (let i = 0; i < 2; i++) {
    await expect(cells.nth(i)).toHaveAttribute('data-status', 'done', { timeout: 40_000 });
  }
  await expect(cells.nth(1)).toHaveAttribute('data-ssim', /^(1|0\.\d+)/);
}
