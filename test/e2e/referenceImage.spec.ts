import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { freshArtifacts, openStudioPage, startStudio, type RunningStudio } from './support/studioServer';
import { openComposerSettings, showView } from './support/workspace';

/**
 * Image-to-video in browser mode: with the built-in model the composer says it cannot start from an image; with the
 * Open-Sora test package (in the scratch data folder's models/) an image dropped on the composer shows as a thumbnail,
 * crosses the transport with the request, and the run's history row says which image it started from.
 */
const LABEL = 'reference-image';
const FIXTURE = path.resolve('test/fixtures/packages/opensora-tiny');
let scratch: string;
let studio: RunningStudio | undefined;

function pictureBase64(width: number, height: number): string {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    png.data.set([(p * 5) % 256, (p >> 4) % 256, 160, 255], p * 4);
  }
  return PNG.sync.write(png).toString('base64');
}

function findFiles(folder: string, name: string): string[] {
  return fs.readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((entry) => path.basename(entry) === name).map((entry) => path.join(folder, entry));
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  freshArtifacts(LABEL);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), `studio-${LABEL}-e2e-`));
  const dataDir = path.join(scratch, 'data');
  fs.cpSync(FIXTURE, path.join(dataDir, 'models', 'opensora-tiny'), { recursive: true });
  studio = await startStudio({ STUDIO_DATA_DIR: dataDir });
});

test.afterAll(async () => {
  await studio?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

test('drops an image on the composer, generates from it, and the history shows where the run came from', async ({ page }) => {
  test.setTimeout(120_000);
  await openStudioPage(page, studio as RunningStudio);
  const field = page.getByTestId('reference-image-field');
  await expect(page.getByTestId('model-select')).toHaveValue('shapes-tiny');
  await expect(field.getByTestId('reference-unsupported')).toContainText('trained on text alone: it cannot start from an image');
  await expect(field.getByTestId('reference-drop')).toHaveCount(0);

  await openComposerSettings(page);
  await page.getByTestId('model-select').selectOption('opensora-tiny');
  await page.getByTestId('clip-preset').selectOption('144p|16:9|1');
  await expect(field).toHaveAttribute('data-enabled', 'true');

  // A real drop: a DataTransfer holding the file, as the browser makes one for a file dragged from the desktop.
  // (A page expression: the test's own tsconfig has no DOM types.)
  const drop = await page.evaluateHandle(`(() => {
    const bytes = Uint8Array.from(atob('${pictureBase64(320, 180)}'), (char) => char.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'meadow.png', { type: 'image/png' }));
    return transfer;
  })()`);
  await field.getByTestId('reference-drop').dispatchEvent('drop', { dataTransfer: drop });
  await expect(field.getByTestId('reference-thumbnail')).toBeVisible();
  await expect(field).toContainText('Starts from meadow.png (320 × 180)');

  // The condition strength shows in the fold once an image is set, and its summary line names S and r = 1 − S.
  const strength = page.getByTestId('condition-strength-input');
  await expect(strength).toHaveValue('1');
  await strength.fill('0.6');
  await expect(page.getByTestId('condition-strength-ratio')).toHaveText('edit ratio r = 0.4');
  await expect(page.getByTestId('composer-settings-summary')).toContainText('strength 0.6 (r = 0.4)');

  await page.getByTestId('prompt-input').fill('a meadow in the wind');
  await page.getByTestId('steps-input').fill('1');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('result-view')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('result-extend')).toBeVisible();

  await showView(page, 'History');
  const row = page.getByTestId('history-row').filter({ hasText: 'a meadow in the wind' });
  await expect(row.getByTestId('history-lineage')).toHaveText('(from image meadow.png, strength 0.6)');
  // The run's reproducibility record says what the sampler used.
  const records = findFiles(path.join(scratch, 'data'), 'clip.json');
  expect(records).toHaveLength(1);
  expect(JSON.parse(fs.readFileSync(records[0] as string, 'utf8')).reference).toMatchObject({ kind: 'image', source: 'meadow.png', strength: 0.6, editRatio: 0.4 });
  await expect(row.getByTestId('history-extend')).toBeVisible();
  await page.screenshot({ path: path.resolve('test-results', LABEL, 'history.png') });

  // Removing the image leaves a plain text-to-video composer.
  await showView(page, 'Studio');
  await field.getByTestId('reference-remove').click();
  await expect(field.getByTestId('reference-thumbnail')).toHaveCount(0);
  await expect(field.getByTestId('reference-drop')).toBeVisible();

  // "Use again" brings the start image back from the run's folder, with its strength; once the file is gone, it says so.
  await showView(page, 'History');
  await row.getByTestId('history-use-again').click();
  await showView(page, 'Studio');
  await expect(field).toContainText('Starts from meadow.png (320 × 180)');
  await expect(page.getByTestId('condition-strength-input')).toHaveValue('0.6');
  await field.getByTestId('reference-remove').click();
  fs.rmSync(path.join(path.dirname(records[0] as string), 'reference.png'));
  await showView(page, 'History');
  await row.getByTestId('history-use-again').click();
  await showView(page, 'Studio');
  await expect(page.getByTestId('composer-error')).toHaveAttribute('data-code', 'IMAGE_GONE');
  await expect(page.getByTestId('composer-error')).toContainText('The start image meadow.png is no longer in the run');
  await expect(field.getByTestId('reference-thumbnail')).toHaveCount(0);
  await expect(page.getByTestId('condition-strength-input')).toHaveCount(0);
  await expect(page.getByTestId('composer-settings-summary')).not.toContainText('strength');
});
