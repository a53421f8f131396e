import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { useScratchStudio } from './support/studioServer';
import { showView } from './support/workspace';

/**
 * Comparing LPL settings side by side in browser mode: from the composer's prompt and locked seed, one job per
 * variant goes through the queue, and the grid shows every final clip on one clock with model calls, times,
 * speed-up and the pixel difference against the first variant. Runs on models/shapes-tiny, or where it is missing
 * on a random-weight package of the same shape.
 */
test.use({ viewport: { width: 1440, height: 1400 } });

const ARTIFACTS = path.resolve('test-results', 'compare');
const PROMPT = 'a green triangle moving down';

const openStudio = useScratchStudio('compare');

/** Per compare canvas: the frame it shows and a hash of its pixels. */
function canvasSamples(page: Page): Promise<Array<{ frame: string | undefined; hash: number }>> {
  return page.evaluate(`Array.from(document.querySelectorAll('[data-testid="compare-canvas"]')).map((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261;
    for (const value of data) { hash = Math.imul(hash ^ value, 16777619) >>> 0; }
    return { frame: canvas.dataset.frame, hash };
  })`);
}

test('compare no LPL against leaps after 3 and 2 steps: three clips side by side, synced, measured against the first', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);
  await page.getByTestId('prompt-input').fill(PROMPT);
  await page.getByTestId('steps-input').fill('6');
  await page.getByTestId('seed-mode').selectOption('locked');
  await page.getByTestId('seed-input').fill('5');

  await showView(page, 'Compare');
  const panel = page.getByTestId('compare-panel');
  await expect(page.getByTestId('compare-seed')).toHaveText('5');
  // The defaults for the composer's 6 steps: no LPL, leap after 3, leap after 2, dynamic from 3. Keep the first three.
  await page.getByTestId('variant-reset').click();
  const variants = panel.getByTestId('compare-variant');
  await expect(variants).toHaveCount(4);
  await expect(page.getByTestId('variant-kind-0')).toHaveValue('off');
  await expect(page.getByTestId('variant-leap-1')).toHaveValue('3');
  await expect(page.getByTestId('variant-leap-2')).toHaveValue('2');
  await expect(page.getByTestId('variant-kind-3')).toHaveValue('dynamic');
  await page.getByTestId('variant-remove-3').click();
  await expect(variants).toHaveCount(3);

  // A leap the backend would refuse is flagged in place and nothing is queued.
  await page.getByTestId('variant-leap-2').fill('6');
  await expect(variants.nth(2).getByRole('alert')).toContainText('Leap after 1 … 5 steps');
  await page.getByTestId('compare-start').click();
  await expect(page.getByTestId('compare-error')).toContainText('Variant 3');
  await expect(page.getByTestId('compare-grid')).toHaveCount(0);
  await page.getByTestId('variant-leap-2').fill('2');
  await expect(variants.nth(2).getByRole('alert')).toHaveCount(0);
  await expect(variants.nth(1)).toContainText('4 model calls');

  // Queue the comparison: three jobs through the ordinary queue.
  await page.getByTestId('compare-start').click();
  await expect(page.getByTestId('compare-error')).toHaveCount(0);
  const cells = panel.getByTestId('compare-cell');
  await expect(cells).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(cells.nth(i)).toHaveAttribute('data-status', 'done', { timeout: 40_000 });
  }
  await expect(page.getByTestId('ended-jobs').locator('[data-status="done"]')).toHaveCount(3);

  // What each measured: model calls 6, 4, 3; the leaps; speed-up and pixel difference against the first.
  await expect(cells.nth(0)).toHaveAttribute('data-model-calls', '6');
  await expect(cells.nth(1)).toHaveAttribute('data-model-calls', '4');
  await expect(cells.nth(2)).toHaveAttribute('data-model-calls', '3');
  await expect(cells.nth(0).getByTestId('compare-model-calls')).toHaveText('6');
  await expect(cells.nth(1).getByTestId('compare-model-calls')).toHaveText('4');
  await expect(cells.nth(0).getByTestId('compare-leap')).toHaveText('no leap');
  await expect(cells.nth(1).getByTestId('compare-leap')).toHaveText('after 3');
  await expect(cells.nth(2).getByTestId('compare-leap')).toHaveText('after 2');
  await expect(cells.nth(0).getByTestId('compare-speedup')).toHaveText('baseline');
  await expect(cells.nth(1).getByTestId('compare-speedup')).toHaveText(/^\d+\.\d\d× total · \d+\.\d\d× denoise$/);
  await expect(cells.nth(1).getByTestId('compare-denoise')).toHaveText(/\d+(\.\d)? (ms|s)/);
  await expect(cells.nth(0)).toHaveAttribute('data-difference', '0');
  await expect(cells.nth(1)).toHaveAttribute('data-difference', /^\d+(\.\d+)?(e-?\d+)?$/);
  await expect(cells.nth(2)).toHaveAttribute('data-difference', /^\d+(\.\d+)?(e-?\d+)?$/);
  await expect(cells.nth(1).getByTestId('compare-difference')).toHaveText(/^\d+\.\d \/ 255 \(\d+\.\d %\)$/);
  // Same seed and prompt: each run recorded seed 5 in the history (its own view; the comparison stays as it was).
  await showView(page, 'History');
  await expect(page.getByTestId('history-table').getByTestId('history-row')).toHaveCount(3);
  await expect(page.getByTestId('history-table').locator('td[data-column="seed"]')).toHaveText(['5', '5', '5']);
  await showView(page, 'Compare');
  await expect(cells).toHaveCount(3);

  // Synced playback: all canvases show the same frame while playing, when paused and when stepped.
  await expect.poll(async () => new Set((await canvasSamples(page)).map((sample) => sample.frame)).size).toBe(1);
  await page.getByTestId('compare-play').click();
  await expect(page.getByTestId('compare-play')).toHaveAttribute('aria-pressed', 'false');
  const paused = await canvasSamples(page);
  expect(paused.every((sample) => sample.frame === paused[0].frame)).toBe(true);
  await page.getByTestId('compare-grid').focus();
  await page.keyboard.press('ArrowRight');
  const stepped = await canvasSamples(page);
  const frames = Number((await page.getByTestId('compare-frame').getAttribute('max')) ?? '0') + 1;
  expect(stepped.map((sample) => sample.frame)).toEqual(Array(3).fill(String((Number(paused[0].frame) + 1) % frames)));
  // The pixel difference the panel reports is zero exactly where the canvases agree on every frame.
  const differences = await Promise.all([1, 2].map(async (i) => Number(await cells.nth(i).getAttribute('data-difference'))));
  for (const [offset, difference] of differences.entries()) {
    if (difference === 0) {
      expect(stepped[offset + 1].hash).toBe(stepped[0].hash);
    }
  }
  expect(differences.some((difference) => difference > 0)).toBe(true);

  await panel.screenshot({ path: path.join(ARTIFACTS, 'compare-grid.png') });
  await page.screenshot({ path: path.join(ARTIFACTS, 'studio-with-compare.png'), fullPage: true });
});
