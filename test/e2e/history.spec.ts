import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { useScratchStudio } from './support/studioServer';
import { showView } from './support/workspace';

/**
 * The prompt history panel in browser mode, on a fresh data folder (the history starts empty): two generations
 * appear in the table as they finish, the server-side search filters, the headers sort, "Use again" refills the
 * composer and "Delete" (after confirming) removes the row. Runs on models/shapes-tiny, or where it is missing on
 * a random-weight package of the same shape.
 */
test.use({ viewport: { width: 1440, height: 1400 } });

const ARTIFACTS = path.resolve('test-results', 'history');
const RED = 'a red circle moving left';
const BLUE = 'a blue square moving right';

const openStudio = useScratchStudio('history');

async function generate(page: Page, values: { prompt: string; steps: number; seed: number; leapStep?: number }): Promise<void> {
  await page.getByTestId('prompt-input').fill(values.prompt);
  await page.getByTestId('steps-input').fill(String(values.steps));
  await page.getByTestId('seed-mode').selectOption('locked');
  await page.getByTestId('seed-input').fill(String(values.seed));
  if (values.leapStep === undefined) {
    await page.getByTestId('lpl-mode').selectOption('off');
  } else {
    await page.getByTestId('lpl-mode').selectOption('fixed');
    await page.getByTestId('leap-step-input').fill(String(values.leapStep));
  }
  await page.getByTestId('prompt-input').press('Control+Enter');
}

/** The prompts of the table's rows, top to bottom. */
function promptsOf(table: Locator): Promise<string[]> {
  return table.getByTestId('history-prompt').allTextContents();
}

function rowOf(table: Locator, prompt: string): Locator {
  return table.getByTestId('history-row').filter({ has: table.page().getByTestId('history-prompt').getByText(prompt, { exact: true }) });
}

function cell(row: Locator, column: string): Locator {
  return row.locator(`td[data-column="${column}"]`);
}

test('generations land in the history table; search, sort, use again and delete work', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);
  await showView(page, 'History');
  const panel = page.getByTestId('history-panel');
  const table = page.getByTestId('history-table');
  const rows = table.getByTestId('history-row');

  await expect(panel).toHaveAttribute('data-total', '0');
  await expect(page.getByTestId('history-empty')).toBeVisible();

  // Two generations: they appear as they finish (history.changed), newest first.
  await generate(page, { prompt: RED, steps: 4, seed: 11 });
  await expect(rows).toHaveCount(1, { timeout: 30_000 });
  await generate(page, { prompt: BLUE, steps: 6, seed: 12, leapStep: 3 });
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  await expect(panel).toHaveAttribute('data-total', '2');
  expect(await promptsOf(table)).toEqual([BLUE, RED]);
  await expect(page.getByTestId('history-header-createdAt')).toHaveAttribute('aria-sort', 'descending');

  // The columns: seed, status, steps run / steps, leap, merged steps, total time, peak RSS.
  const blue = rowOf(table, BLUE);
  const red = rowOf(table, RED);
  await expect(blue).toHaveAttribute('data-status', 'done');
  await expect(cell(blue, 'seed')).toHaveText('12');
  await expect(cell(blue, 'stepsRun')).toHaveText('4 / 6');
  await expect(cell(blue, 'leapStep')).toHaveText('after 3');
  await expect(cell(red, 'stepsRun')).toHaveText('4 / 4');
  await expect(cell(red, 'leapStep')).toHaveText('–');
  await expect(cell(red, 'mergedSteps')).toHaveText('0');
  await expect(cell(red, 'totalMs')).toHaveText(/^\d+(\.\d)? (ms|s)$/);
  await expect(cell(red, 'peakRss')).toHaveText(/MiB|GiB/);
  await expect(cell(red, 'createdAt')).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  await panel.screenshot({ path: path.join(ARTIFACTS, 'history-two-rows.png') });

  // Server-side search.
  await page.getByTestId('history-search').fill('red');
  await expect(panel).toHaveAttribute('data-total', '1');
  expect(await promptsOf(table)).toEqual([RED]);
  await page.getByTestId('history-search').fill('nothing like this');
  await expect(page.getByTestId('history-empty')).toContainText('nothing like this');
  await expect(rows).toHaveCount(0);
  await panel.screenshot({ path: path.join(ARTIFACTS, 'history-search-empty.png') });
  await page.getByTestId('history-search').press('Escape');
  await expect(rows).toHaveCount(2);

  // Sorting by prompt, from the keyboard: ascending, then descending.
  await page.getByTestId('history-sort-prompt').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-header-prompt')).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.getByTestId('history-header-createdAt')).toHaveAttribute('aria-sort', 'none');
  await expect.poll(() => promptsOf(table)).toEqual([BLUE, RED]);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('history-header-prompt')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(() => promptsOf(table)).toEqual([RED, BLUE]);
  // Steps run, ascending is not the first click for numbers: most steps first, then fewest.
  await page.getByTestId('history-sort-stepsRun').click();
  await expect(page.getByTestId('history-header-stepsRun')).toHaveAttribute('aria-sort', /ascending|descending/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'history-sorted.png'), fullPage: true });

  // "Use again" refills the composer with the red circle's request (seed locked to the one it ran with).
  await page.getByTestId('prompt-input').fill('something else');
  await page.getByTestId('steps-input').fill('9');
  await rowOf(table, RED).getByTestId('history-use-again').click();
  await expect(page.getByTestId('prompt-input')).toHaveValue(RED);
  await expect(page.getByTestId('prompt-input')).toBeFocused();
  await expect(page.getByTestId('steps-input')).toHaveValue('4');
  await expect(page.getByTestId('seed-mode')).toHaveValue('locked');
  await expect(page.getByTestId('seed-input')).toHaveValue('11');
  await expect(page.getByTestId('lpl-mode')).toHaveValue('off');
  await rowOf(table, BLUE).getByTestId('history-use-again').click();
  await expect(page.getByTestId('prompt-input')).toHaveValue(BLUE);
  await expect(page.getByTestId('lpl-mode')).toHaveValue('fixed');
  await expect(page.getByTestId('leap-step-input')).toHaveValue('3');
  await expect(page.getByTestId('history-announcement')).toContainText(BLUE);

  // Delete asks first: Esc keeps the row, "Delete it" removes it.
  await rowOf(table, BLUE).getByTestId('history-delete').click();
  await expect(page.getByTestId('history-confirm-delete')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(rowOf(table, BLUE).getByTestId('history-delete')).toBeFocused();
  await expect(rows).toHaveCount(2);
  await rowOf(table, BLUE).getByTestId('history-delete').click();
  await panel.screenshot({ path: path.join(ARTIFACTS, 'history-confirm-delete.png') });
  await page.getByTestId('history-confirm-delete').click();
  await expect(rows).toHaveCount(1);
  await expect(panel).toHaveAttribute('data-total', '1');
  await expect(panel.getByRole('region')).toBeFocused();
  expect(await promptsOf(table)).toEqual([RED]);
  await expect(page.getByTestId('history-announcement')).toContainText(`Deleted “${BLUE}”`);

  // Every control of the panel has an accessible name; sortable headers carry aria-sort.
  const unlabelled = await page.evaluate<string[]>(`Array.from(document.querySelectorAll('[data-testid="history-panel"] :is(button, input, select)'))
    .filter((el) => !(el.getAttribute('aria-label') || (el.labels && el.labels.length > 0) || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => el.outerHTML.slice(0, 120))`);
  expect(unlabelled).toEqual([]);
  await expect(table.locator('th[aria-sort]')).toHaveCount(10);
  await panel.screenshot({ path: path.join(ARTIFACTS, 'history-after-delete.png') });
});

test('the history survives a reload; its virtualized body shows the range in view', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);
  const panel = page.getByTestId('history-panel');
  const rows = page.getByTestId('history-table').getByTestId('history-row');
  await showView(page, 'History');
  // The first test left one entry; five one-step runs, queued at once, make six.
  await expect(panel).toHaveAttribute('data-total', '1');
  await page.getByTestId('steps-input').fill('1');
  await page.getByTestId('lpl-mode').selectOption('off');
  for (const shape of ['circle', 'square', 'triangle', 'star', 'ring']) {
    await page.getByTestId('prompt-input').fill(`a white ${shape} bouncing`);
    await page.getByTestId('prompt-input').press('Control+Enter');
  }
  await expect(panel).toHaveAttribute('data-total', '6', { timeout: 45_000 });

  // The view chosen survives the reload too: the history table is still the one shown.
  await page.reload();
  await expect(page.getByRole('tab', { name: 'History', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(panel).toHaveAttribute('data-total', '6');
  await expect(rows).toHaveCount(6);
  await expect(page.getByTestId('history-range')).toHaveText('Rows 1–6 of 6');
  // The oldest entry (the red circle) is the last row. The question "Delete?" survives the body being fetched
  // again while it is asked (a run finishing re-creates the rows); confirming then leaves six.
  await expect(rows.last().getByTestId('history-prompt')).toHaveText(RED);
  await rows.last().getByTestId('history-delete').click();
  await expect(page.getByTestId('history-confirm-delete')).toBeVisible();
  await page.getByTestId('prompt-input').fill('a white circle growing');
  await page.getByTestId('prompt-input').press('Control+Enter');
  await expect(panel).toHaveAttribute('data-total', '7', { timeout: 45_000 });
  await expect(page.getByTestId('history-confirm-delete')).toHaveCount(1);
  await page.getByTestId('history-confirm-delete').click();
  await expect(page.getByTestId('history-range')).toHaveText('Rows 1–6 of 6');
  await expect(rows).toHaveCount(6);
  await expect(rows.getByTestId('history-prompt').filter({ hasText: RED })).toHaveCount(0);
  await panel.screenshot({ path: path.join(ARTIFACTS, 'history-after-reload.png') });
});
