import path from 'node:path';
import { expect, test } from '@playwright/test';
import { useScratchStudio } from './support/studioServer';
import { openComposerSettings } from './support/workspace';

/**
 * "Add model…" in browser mode: the committed Open-Sora fixture package is added by its folder path (checked, then
 * copied into the scratch data folder), listed with its size, picked, run at its 144p image preset, and removed.
 */
const LABEL = 'add-model';
const FIXTURE = path.resolve('test/fixtures/packages/opensora-tiny');

const openScratchStudio = useScratchStudio(LABEL);

test('adds a package folder, generates with it at a preset, and removes it; the built-in model stays', async ({ page }) => {
  test.setTimeout(120_000);
  await openScratchStudio(page);

  // "Add model…" sits with the model, in the composer's folded settings.
  await openComposerSettings(page);
  await page.getByTestId('add-model-button').click();
  const dialog = page.getByTestId('models-dialog');
  await expect(dialog).toBeVisible();
  const builtin = dialog.locator('[data-testid="model-row"][data-model-id="shapes-tiny"]');
  await expect(builtin).toContainText('Built in');
  await expect(builtin.getByTestId('model-remove')).toHaveCount(0);

  await dialog.getByTestId('add-package-path').fill(FIXTURE);
  await dialog.getByTestId('add-package-submit').click();
  await expect(dialog.getByTestId('add-package-done')).toHaveText('Added Open-Sora tiny (opensora-tiny).', { timeout: 30_000 });
  const added = dialog.locator('[data-testid="model-row"][data-model-id="opensora-tiny"]');
  await expect(added.getByTestId('model-size')).toContainText(/^\d+\.\d+ MB of weights · needs \d+\.\d+ MB( streamed to \d+\.\d+ MB all loaded)? for 51 × 256×144$/);
  await dialog.screenshot({ path: path.resolve('test-results', LABEL, 'models-dialog.png') });

  // The same package again is refused by name; a folder without a manifest is refused naming what is missing.
  await dialog.getByTestId('add-package-path').fill(FIXTURE);
  await dialog.getByTestId('add-package-submit').click();
  await expect(dialog.getByTestId('add-package-error')).toContainText('A model with the id opensora-tiny is already registered (Open-Sora tiny 1.2.0)');
  await dialog.getByTestId('add-package-path').fill(path.dirname(FIXTURE));
  await dialog.getByTestId('add-package-submit').click();
  await expect(dialog.getByTestId('add-package-error')).toContainText('is not a model package: it has no manifest.json');
  await dialog.getByTestId('models-dialog-close').click();
  await expect(dialog).toBeHidden();

  // The added model is picked; its presets are offered.
  await expect(page.getByTestId('model-select')).toHaveValue('opensora-tiny');
  await page.getByTestId('clip-preset').selectOption('144p|16:9|1');
  await page.getByTestId('prompt-input').fill('a cat walking in the snow');
  await page.getByTestId('steps-input').fill('2');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('result-view')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('result-view')).toContainText('256');

  await page.getByTestId('add-model-button').click();
  await added.getByTestId('model-remove').click();
  await added.getByTestId('model-remove-confirm').click();
  await expect(added).toHaveCount(0);
  await expect(builtin).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('model-select').locator('option[value="opensora-tiny"]')).toHaveCount(0);
  await expect(page.getByTestId('model-select')).toHaveValue('shapes-tiny');
});
