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
/** The profiled parts (lib/renderStats.tsx ids) that show step data, and those that do not. */
const STEP_PARTS = ['live.progress', 'live.gauges', 'live.timeline', 'live.strip'];
const STILL_PARTS = ['header', 'composer', 'live.preview', 'result', 'queue', 'recent', 'system', 'compare', 'history'];

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

/** The studio page with the render counters on (they are read once, when the page loads). */
async function openWithRenderStats(page: Page): Promise<void> {
  await openScratchStudio(page);
  await page.goto(`${page.url()}&renderStats=1`);
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('model-select')).toBeEnabled();
  // Everything the page fetches on load has arrived, so later commits come from what the test does.
  await expect(page.getByTestId('forecast')).toHaveAttribute('data-kind', 'ok');
  await expect(page.getByTestId('history-panel')).toHaveAttribute('data-state', 'ready');
  // The thumbnails of the runs in view (fetched once their rows settle) too.
  await expect(page.locator('[data-testid="history-thumbnail"][data-state="loading"]')).toHaveCount(0);
  await expect(page.getByTestId('recent-runs')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('sys-runtime-check')).toHaveAttribute('data-ok', 'true');
}

/** The counts of one cause, failing with its name when nothing of that cause was counted. */
function causeOf(causes: Record<string, CauseStats>, name: string): CauseStats {
  const stats = causes[name];
  if (!stats) {
    throw new Error(`no commits or events counted for ${name}; counted: ${Object.keys(causes).join(', ') || 'nothing'}`);
  }
  return stats;
}

test('a step event re-renders only the live parts that show step data', async ({ page }) => {
  test.setTimeout(90_000);
  await openWithRenderStats(page);

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
  const step = causeOf(causes, 'generation.step');
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

  // Every step of the run arrived as an event and was counted.
  expect(step.events).toBe(STEPS);
  // One commit per step event, which re-renders the live parts that show step data, each once...
  expect(step.commits / step.events).toBeLessThanOrEqual(1);
  for (const part of STEP_PARTS) {
    expect(step.parts[part] ?? 0, `${part} renders per step event`).toBe(step.events);
  }
  // ...and nothing else: the preview's pixels reach its canvas without React, and the rest shows no step data.
  for (const part of STILL_PARTS) {
    expect(step.parts[part] ?? 0, `${part} renders on step events`).toBe(0);
  }
});

test('typing a prompt re-renders the composer, not the live view, result, queue or history', async ({ page }) => {
  test.setTimeout(60_000);
  await openWithRenderStats(page);

  const typed = 'a red circle';
  await page.getByTestId('prompt-input').fill('');
  await page.evaluate('window.__studioRenderStats.reset()');
  await page.getByTestId('prompt-input').pressSequentially(typed);
  await expect(page.getByTestId('prompt-input')).toHaveValue(typed);

  const other = causeOf(await readStats(page), 'other');
  process.stdout.write(`\n[renders] typing ${typed.length} keys: ${JSON.stringify(other)}\n`);
  expect(other.parts.composer, 'composer renders per key').toBe(typed.length);
  for (const part of ['live', 'result', 'queue', 'recent', 'history']) {
    expect(other.parts[part] ?? 0, `${part} renders while typing`).toBe(0);
  }
});
