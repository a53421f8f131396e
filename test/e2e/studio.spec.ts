import { expect, test } from '@playwright/test';
import { startStudioOnScratch, type RunningStudio } from './support/studioServer';

let studio: RunningStudio;
test.beforeAll(async () => {
  studio = await startStudioOnScratch('system-info');
});
test.afterAll(async () => {
  await studio?.stop();
});

test('the page loads and shows the engine system info', async ({ page }) => {
  await page.goto(studio.url);
  await expect(page.getByTestId('app-title')).toHaveText('On-device Sora Studio');
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('sys-runtime-check')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('sys-ort')).toHaveText(/^\d+\.\d+\.\d+/);
  await expect(page.getByTestId('sys-providers')).toContainText('cpu');
  await expect(page.getByTestId('sys-platform')).toContainText(process.platform);
});

test('killing the engine process shows an error, then recovers without a reload', async ({ page }) => {
  await page.goto(studio.url);
  const pidText = await page.getByTestId('sys-engine-pid').textContent();
  const pid = Number(/pid (\d+)/.exec(pidText ?? '')?.[1]);
  expect(pid).toBeGreaterThan(0);
  // Mark the document: if the page reloads, the mark disappears.
  await page.evaluate(() => ((globalThis as unknown as { __noReload: boolean }).__noReload = true));

  process.kill(pid, 'SIGKILL');
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'crashed');
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('sys-engine-pid')).not.toContainText(`pid ${pid},`);
  await expect(page.getByTestId('sys-runtime-check')).toHaveAttribute('data-ok', 'true');
  expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});

test('a first run starts from the model\'s own sampler defaults; a later run keeps what the user set', async ({ page }) => {
  await page.goto(studio.url);
  const useDefaults = page.getByRole('button', { name: /Use the model's defaults/ });
  await expect(useDefaults).toBeVisible();
  const [, steps, cfg] = /\((\d+) steps, CFG ([\d.]+)\)/.exec((await useDefaults.textContent()) ?? '') ?? [];
  expect(Number(cfg), 'the model names its CFG').toBeGreaterThan(0);
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue(steps);
  await expect(page.getByLabel('CFG scale')).toHaveValue(cfg);

  const chosen = String(Number(cfg) + 2);
  await page.getByLabel('CFG scale').fill(chosen);
  await page.reload();
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready');
  await expect(useDefaults).toBeVisible();
  await expect(page.getByLabel('CFG scale')).toHaveValue(chosen);
});
