import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { useScratchStudio } from './support/studioServer';

/**
 * How much of the workspace React re-renders per generation step. The page runs with `renderStats=1`, which wraps
 * the workspace and its parts in React Profilers and puts each commit down to the backend event that caused it
 * (src/renderer/src/lib/renderStats.tsx). A generation runs in browser mode; the commits the step events caused
 * are counted, with the parts they re-rendered. Runs on models/shapes-tiny, or where it is missing on a
 * random-weight package of the same shape.
 */
test.use({ viewport: { width: 1440, height: 1000 } });

const LABEL = 'renders';
const STEPS = 24;

interface CauseStats {
  events: number;
  commits: number;
  renderMs: number;
  parts: Record<string, number>;
}

const openScratchStudio = useScratchStudio(LABEL);

function readStats(page: Page): Promise<Record<string, CauseStats>> {
  return page.evaluate<Record<string, CauseStats>>('JSON.parse(JSON.stringify(window.__studioRenderStats.causes))');
}

test('a step event re-renders only the live parts that show step data', async ({ page }) => {
  test.setTimeout(90_000);
  await openScratchStudio(page);
  // Again with the counters on (they are read once, when the page loads).
  await page.goto(`${page.url()}&renderStats=1`);
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('model-select')).toBeEnabled();
  await expect(page.getByTestId('forecast')).toHaveAttribute('data-kind', 'ok');

  await page.getByTestId('prompt-input').fill('a yellow square moving up on a black background');
  await page.getByTestId('steps-input').fill(String(STEPS));
  await page.getByTestId('lpl-mode').selectOption('off');
  await page.getByTestId('seed-mode').selectOption('locked');
  await page.getByTestId('seed-input').fill('7');
  await page.evaluate('window.__studioRenderStats.reset()');

  await page.getByTestId('prompt-input').press('Control+Enter');
  await expect(page.getByTestId('progress')).toHaveAttribute('data-status', 'done', { timeout: 45_000 });
  await expect(page.getByTestId('result-view')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });

  const causes = await readStats(page);
  const step = causes['generation.step'];
  const perStep = Object.fromEntries(Object.entries(step.parts).map(([part, count]) => [part, count / step.events]));
  const report = {
    stepEvents: step.events,
    commitsPerStepEvent: step.commits / step.events,
    renderMsPerStepEvent: step.renderMs / step.events,
    partsRenderedPerStepEvent: perStep,
    causes,
  };
  fs.writeFileSync(path.resolve('test-results', LABEL, 'render-stats.json'), `${JSON.stringify(report, null, 2)}\n`);
  const { causes: _all, ...summary } = report;
  process.stdout.write(`\n[renders] ${JSON.stringify(summary)}\n`);

  // Every step of the run arrived as an event and was counted, and each one reached React.
  expect(step.events).toBe(STEPS);
  expect(step.commits).toBeGreaterThanOrEqual(step.events);
});
