import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { useScratchStudio } from './support/studioServer';
import { showView, type ViewName } from './support/workspace';

/**
 * The workspace on a laptop screen (1280 × 800, a 13-inch MacBook at its default scaling): prompt, Generate, the
 * current clip and the recent runs in view together without scrolling; the comparison, projects and full history
 * one tab away without losing a running job; no layout shift while previews stream; 1024 × 700 still works.
 * With UPDATE_DOCS_SCREENSHOTS=1 the screenshots of each view also go to docs/screenshots for the README (the
 * committed ones are reduced to a 96-colour palette, e.g. ffmpeg's palettegen/paletteuse, to stay small).
 */
test.use({ viewport: { width: 1280, height: 800 } });

const LABEL = 'layout';
const ARTIFACTS = path.resolve('test-results', LABEL);
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1' ? path.resolve('docs', 'screenshots') : null;
const PROMPTS = ['a red circle moving left', 'a blue square moving right', 'a green triangle moving down', 'a yellow star bouncing', 'a white ring growing'];

const openStudio = useScratchStudio(LABEL);

/**
 * Why the element is not wholly visible without scrolling: outside the viewport, or clipped by a scrolling (or
 * clipping) ancestor; 'ok' when it is in view.
 */
interface Rect {
  top: number;
  left: number;
  bottom: number;
  right: number;
  width: number;
  height: number;
}
/** The little of the DOM this file reads (the e2e tsconfig has no DOM types). */
interface PageElement {
  getBoundingClientRect(): Rect;
  parentElement: PageElement | null;
  tagName: string;
  className: string;
}
interface PageWindow {
  innerWidth: number;
  innerHeight: number;
  getComputedStyle(element: PageElement): { overflowX: string; overflowY: string };
}

function visibility(locator: Locator): Promise<string> {
  return locator.evaluate((node: unknown) => {
    const element = node as PageElement;
    const view = globalThis as unknown as PageWindow;
    const box = element.getBoundingClientRect();
    const within = (outer: Omit<Rect, 'width' | 'height'>): boolean =>
      box.top >= outer.top - 0.5 && box.left >= outer.left - 0.5 && box.bottom <= outer.bottom + 0.5 && box.right <= outer.right + 0.5;
    if (box.width === 0 || box.height === 0) {
      return 'no box';
    }
    if (!within({ top: 0, left: 0, bottom: view.innerHeight, right: view.innerWidth })) {
      return `outside the viewport: ${JSON.stringify(box)}`;
    }
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const style = view.getComputedStyle(parent);
      if (/auto|scroll|hidden|clip/.test(`${style.overflowX} ${style.overflowY}`) && !within(parent.getBoundingClientRect())) {
        return `clipped by ${parent.tagName.toLowerCase()}.${parent.className}`;
      }
    }
    return 'ok';
  });
}

/** The page itself scrolls neither way: everything is laid out within the window. */
function pageScroll(page: Page): Promise<{ x: number; y: number; overflowX: number; overflowY: number }> {
  return page.evaluate(`(() => {
    const root = document.scrollingElement || document.documentElement;
    return { x: root.scrollLeft, y: root.scrollTop, overflowX: root.scrollWidth - window.innerWidth, overflowY: root.scrollHeight - window.innerHeight };
  })()`);
}

function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

function recentRun(page: Page, prompt: string): Locator {
  return region(page, 'Recent runs').getByRole('button', { name: new RegExp(`^${prompt}`) });
}

/** Queues runs of 2 steps with the given prompts and waits until each is in the recent runs, done. */
async function runAll(page: Page, prompts: readonly string[]): Promise<void> {
  await page.getByRole('spinbutton', { name: 'Steps', exact: true }).fill('2');
  for (const prompt of prompts) {
    await page.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
    await page.getByRole('textbox', { name: 'Prompt' }).press('Control+Enter');
    await expect(page.getByTestId('composer-error')).toHaveCount(0);
  }
  for (const prompt of prompts) {
    await expect(region(page, 'Recent runs').locator('[data-testid="recent-run"][data-status="done"]', { hasText: prompt })).toHaveCount(1, { timeout: 60_000 });
  }
  await expect(page.getByTestId('queue-panel')).toHaveAttribute('data-running', '0');
}

/** A screenshot into the test's artifacts, and (forDocs, with UPDATE_DOCS_SCREENSHOTS=1) into docs/screenshots. */
/** Runs those of the prompts the recent list does not show yet (a test that follows a failed one starts afresh). */
async function ensureRuns(page: Page, prompts: readonly string[]): Promise<void> {
  const listed = await region(page, 'Recent runs').getByTestId('recent-open').allTextContents();
  const missing = prompts.filter((prompt) => !listed.some((text) => text.startsWith(prompt)));
  if (missing.length > 0) {
    await runAll(page, missing);
  }
}

async function screenshot(page: Page, name: string, forDocs = true): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  if (DOCS && forDocs) {
    fs.mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, `${name}.png`) });
  }
}

test('at 1280 × 800, after three runs and after five: prompt, Generate, the result player and the runs are in view without scrolling', async ({ page }) => {
  test.setTimeout(150_000);
  await openStudio(page);
  await runAll(page, PROMPTS.slice(0, 3));

  const prompt = region(page, 'Compose').getByRole('textbox', { name: 'Prompt' });
  const generate = region(page, 'Compose').getByRole('button', { name: 'Generate', exact: true });
  const player = region(page, 'Result').getByRole('img', { name: /^Result clip/ });
  // The newest run took the player, in the stage.
  await expect(region(page, 'Result')).toHaveAttribute('data-state', 'ready');
  for (const [name, locator] of Object.entries({ prompt, generate, player, ...Object.fromEntries(PROMPTS.slice(0, 3).map((text) => [text, recentRun(page, text)])) })) {
    expect(await visibility(locator), name).toBe('ok');
  }
  expect(await pageScroll(page)).toEqual({ x: 0, y: 0, overflowX: 0, overflowY: 0 });
  // Newest first, each with its thumbnail.
  const names = await region(page, 'Recent runs').getByTestId('recent-open').allTextContents();
  expect(names.map((name) => PROMPTS.find((text) => name.startsWith(text)))).toEqual(PROMPTS.slice(0, 3).reverse());
  await expect(region(page, 'Recent runs').locator('img[data-testid="history-thumbnail"]')).toHaveCount(3);

  await runAll(page, PROMPTS.slice(3));
  for (const text of PROMPTS) {
    expect(await visibility(recentRun(page, text)), text).toBe('ok');
  }
  expect(await visibility(player), 'player').toBe('ok');
  expect(await visibility(prompt), 'prompt').toBe('ok');
  expect(await pageScroll(page)).toEqual({ x: 0, y: 0, overflowX: 0, overflowY: 0 });
  await screenshot(page, 'studio-five-runs-1280x800', false);

  // A click on an older run plays it in the same player, marked in the list.
  const oldest = region(page, 'Recent runs').getByTestId('recent-run').filter({ hasText: PROMPTS[0] });
  await recentRun(page, PROMPTS[0]).click();
  await expect(region(page, 'Result')).toHaveAttribute('data-job-id', (await oldest.getAttribute('data-entry-id')) ?? 'missing');
  await expect(region(page, 'Result')).toHaveAttribute('data-state', 'ready');
  await expect(oldest).toHaveAttribute('aria-current', 'true');
  expect(await visibility(player), 'player').toBe('ok');
});

test('keyboard: Tab reaches Generate, the player and the recent runs in that order; the views are a tablist', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);
  await expect(region(page, 'Recent runs')).toHaveAttribute('data-state', 'ready');
  await ensureRuns(page, PROMPTS.slice(4));
  // Play a run from the recent list with the keyboard.
  await recentRun(page, PROMPTS[4]).focus();
  await page.keyboard.press('Enter');
  await expect(region(page, 'Result')).toHaveAttribute('data-state', 'ready');

  await region(page, 'Compose').getByRole('textbox', { name: 'Prompt' }).focus();
  const reached: string[] = [];
  for (let i = 0; i < 80 && !reached.includes('recent-open'); i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate<string>(`(() => { const active = document.activeElement; return active ? active.getAttribute('data-testid') || active.getAttribute('role') || active.tagName : ''; })()`));
  }
  const generate = reached.indexOf('generate-button');
  const tabs = reached.indexOf('view-tab-studio');
  const player = reached.indexOf('player-canvas');
  const recent = reached.indexOf('recent-open');
  expect(generate, reached.join(' > ')).toBeGreaterThanOrEqual(0);
  expect(tabs).toBeGreaterThan(generate);
  expect(player).toBeGreaterThan(tabs);
  expect(recent).toBeGreaterThan(player);
  // One tab stop for the whole tablist (roving tabindex).
  expect(reached.filter((id) => id.startsWith('view-tab-'))).toEqual(['view-tab-studio']);

  // Arrow keys move between the views; each view's panel holds its named region.
  const views = page.getByRole('tablist', { name: 'Workspace' });
  await views.getByRole('tab', { name: 'Studio', exact: true }).focus();
  const expected: Array<[string, ViewName, string]> = [
    ['ArrowRight', 'History', 'History'],
    ['ArrowRight', 'Compare', 'Compare LPL settings'],
    ['ArrowRight', 'Projects', 'Project'],
    ['ArrowRight', 'System', 'System'],
    ['ArrowRight', 'Studio', 'Recent runs'],
    ['End', 'System', 'System'],
    ['Home', 'Studio', 'Result'],
    ['ArrowLeft', 'System', 'System'],
  ];
  for (const [key, view, regionName] of expected) {
    await page.keyboard.press(key);
    const tab = views.getByRole('tab', { name: view, exact: true });
    await expect(tab).toBeFocused();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tabpanel', { name: view, exact: true }).getByRole('region', { name: regionName }).first()).toBeVisible();
    await expect(page.locator('[role="tabpanel"][id^="view-panel-"]:visible')).toHaveCount(1);
  }
});

test('switching views while a job runs keeps its view; previews stream without layout shift, in the clip box the result then takes', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page);
  await showView(page, 'Studio');
  // Long enough that the job is still running when the views have been switched and back.
  const steps = 150;
  await page.getByRole('spinbutton', { name: 'Steps', exact: true }).fill(String(steps));
  await page.getByRole('textbox', { name: 'Prompt' }).fill('a white circle bouncing');
  const idleClip = await page.getByTestId('preview-canvas').boundingBox();
  expect(idleClip?.width).toBeGreaterThan(200);

  // Layout shifts the browser reports (the Layout Instability API), with their time and whether input caused them.
  await page.evaluate(`(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        window.__shifts.push({ value: entry.value, atMs: entry.startTime, input: entry.hadRecentInput, sources: entry.sources.map((s) => s.node?.nodeName + '.' + (s.node?.className ?? '')) });
      }
    }).observe({ type: 'layout-shift' });
  })()`);
  await page.getByRole('textbox', { name: 'Prompt' }).press('Control+Enter');
  const live = page.getByTestId('live-view');
  await expect(page.getByRole('tab', { name: 'Live preview' })).toHaveAttribute('aria-selected', 'true');
  // Streaming: the first preview is drawn and the run is listed.
  await expect.poll(async () => Number(await page.getByTestId('preview-canvas').getAttribute('data-step') ?? -1), { timeout: 30_000, intervals: [20] }).toBeGreaterThanOrEqual(0);
  await expect(region(page, 'Recent runs').locator('[data-testid="recent-run"][data-status="running"]')).toHaveCount(1);
  const jobId = await live.getAttribute('data-job-id');
  const from = await page.evaluate<number>('performance.now()');
  expect(await page.getByTestId('preview-canvas').boundingBox()).toEqual(idleClip);
  // The gauges and the load/compute timeline beside the clip, in view.
  const clip = idleClip!;
  for (const testId of ['memory-chart', 'resident-gauge', 'latency-sparkline', 'unit-timeline']) {
    const gauge = page.getByTestId(testId);
    expect(await visibility(gauge), testId).toBe('ok');
    expect((await gauge.boundingBox())!.x, `${testId} is beside the clip`).toBeGreaterThan(clip.x + clip.width);
  }

  // Twenty steps on: nothing has moved while the previews streamed.
  await expect.poll(async () => Number(await page.getByTestId('progress').getAttribute('data-steps')), { timeout: 60_000 }).toBeGreaterThanOrEqual(20);
  const shifts = await page.evaluate<Array<{ value: number; atMs: number; input: boolean; sources: string[] }>>('window.__shifts');
  const whileStreaming = shifts.filter((shift) => shift.atMs >= from);
  expect(whileStreaming, JSON.stringify(whileStreaming)).toEqual([]);

  // Other views while it runs: the chip follows the job; coming back finds the same job further along.
  const stepBefore = Number(await page.getByTestId('preview-canvas').getAttribute('data-step'));
  await showView(page, 'Compare');
  await expect(region(page, 'Compare LPL settings')).toBeVisible();
  await expect(page.getByTestId('live-chip')).toContainText(/Generating \d+\/\d+/);
  await showView(page, 'History');
  await expect(page.getByTestId('history-table').getByTestId('history-row').first()).toHaveAttribute('data-status', 'running');
  await screenshot(page, 'history-while-generating-1280x800', false);
  await page.getByTestId('live-chip').click();
  await expect(page.getByRole('tab', { name: 'Studio', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(live).toBeVisible();
  await expect(live).toHaveAttribute('data-job-id', jobId ?? 'missing');
  await expect(page.getByTestId('progress')).toHaveAttribute('data-status', 'running');
  await expect.poll(async () => Number(await page.getByTestId('preview-canvas').getAttribute('data-step'))).toBeGreaterThan(stepBefore);
  await screenshot(page, 'studio-generating-1280x800');

  // Done: the result plays in the very box the preview filled.
  await expect(region(page, 'Result')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(page.getByRole('tab', { name: 'Result player' })).toHaveAttribute('aria-selected', 'true');
  expect(await page.getByTestId('player-canvas').boundingBox()).toEqual(idleClip);
  await expect(page.getByTestId('live-chip')).toHaveCount(0);
});

test('each view at 1280 × 800 and 1440 × 900; the layout holds at 1024 × 700; panels remember their state', async ({ page }) => {
  test.setTimeout(90_000);
  await openStudio(page);
  await expect(region(page, 'Recent runs')).toHaveAttribute('data-state', 'ready');
  await ensureRuns(page, PROMPTS.slice(2));
  await recentRun(page, PROMPTS[4]).click();
  await expect(region(page, 'Result')).toHaveAttribute('data-state', 'ready');
  for (const size of [
    { width: 1280, height: 800 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size);
    for (const view of ['Studio', 'History', 'Compare', 'Projects'] as const) {
      await showView(page, view);
      expect(await pageScroll(page), `${view} at ${size.width}`).toEqual({ x: 0, y: 0, overflowX: 0, overflowY: 0 });
      await screenshot(page, `${view.toLowerCase()}-${size.width}x${size.height}`);
    }
  }

  // 1024 × 700: nothing spills sideways; the prompt and Generate are in view, the clip and the runs a scroll away.
  await page.setViewportSize({ width: 1024, height: 700 });
  await showView(page, 'Studio');
  expect((await pageScroll(page)).overflowX).toBe(0);
  expect(await visibility(page.getByRole('textbox', { name: 'Prompt' })), 'prompt').toBe('ok');
  expect(await visibility(page.getByRole('button', { name: 'Generate', exact: true })), 'Generate').toBe('ok');
  const player = region(page, 'Result').getByRole('img', { name: /^Result clip/ });
  expect(await visibility(player), 'player').toBe('ok');
  await recentRun(page, PROMPTS[2]).scrollIntoViewIfNeeded();
  expect(await visibility(recentRun(page, PROMPTS[2])), 'a recent run, scrolled to').toBe('ok');
  const composer = (await region(page, 'Compose').boundingBox())!;
  const stage = (await region(page, 'Result').boundingBox())!;
  expect(composer.x + composer.width, 'the composer and the stage do not overlap').toBeLessThanOrEqual(stage.x);
  await screenshot(page, 'studio-1024x700');

  // Panels remember their state: the settings fold and the view survive a reload.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByTestId('composer-settings')).not.toHaveAttribute('open');
  await page.getByTestId('composer-settings-toggle').click();
  await expect(page.getByTestId('model-select')).toBeVisible();
  await showView(page, 'Compare');
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Compare', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(region(page, 'Compare LPL settings')).toBeVisible();
  await expect(page.getByTestId('model-select')).toBeVisible();
  // Folded, the summary still names the model, the clip, the budget and TDTM.
  await page.getByTestId('composer-settings-toggle').click();
  await expect(page.getByTestId('model-select')).toBeHidden();
  await expect(page.getByTestId('composer-settings-summary')).toHaveText(/^Shapes in motion .* · \d+ × \d+×\d+ px · budget all resident · peak [\d.]+ MB · TDTM off · 0 presets$/);
});
