import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Download, type Locator, type Page } from '@playwright/test';
import { readMp4Facts } from '../support/mp4Facts';
import { useScratchStudio } from './support/studioServer';
import { openComposerSettings, showStage } from './support/workspace';

/**
 * The studio workspace in browser mode: compose, watch the preview form step by step with the gauges moving,
 * queue / reorder / cancel, export the run's MP4, record, GIF and a frame and check their bytes. Runs on the built-in model (models/shapes-tiny);
 * where it is missing (a checkout without the trained package), on a random-weight package of the same shape.
 */
test.use({ viewport: { width: 1440, height: 1000 } });

const ARTIFACTS = path.resolve('test-results', 'workspace');
const PROMPT = 'a yellow square moving up on a black background';

const openScratchStudio = useScratchStudio('workspace');

/** The page's values come back through string expressions: the e2e tsconfig has no DOM types. */
function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

async function openStudio(page: Page): Promise<void> {
  await openScratchStudio(page);
  await expect(page.getByTestId('forecast')).toHaveAttribute('data-kind', 'ok');
}

async function numberAttribute(locator: Locator, name: string): Promise<number> {
  return Number(await locator.getAttribute(name));
}

/** A hash of the canvas pixels, with the step and frame it shows. */
function canvasSample(page: Page, testId: string): Promise<{ step: string; frame: string; hash: number }> {
  return inPage(
    page,
    `(() => {
      const canvas = document.querySelector('[data-testid="${testId}"]');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let hash = 2166136261;
      for (const value of data) { hash = Math.imul(hash ^ value, 16777619) >>> 0; }
      return { step: canvas.dataset.step, frame: canvas.dataset.frame, hash };
    })()`,
  );
}

async function composerSet(page: Page, values: { steps?: number; tdtm?: number; seed?: number; prompt?: string }): Promise<void> {
  if (values.steps !== undefined) {
    await page.getByTestId('steps-input').fill(String(values.steps));
  }
  if (values.tdtm !== undefined) {
    await openComposerSettings(page);
    await page.getByTestId('tdtm-input').fill(String(values.tdtm));
  }
  if (values.seed !== undefined) {
    await page.getByTestId('seed-mode').selectOption('locked');
    await page.getByTestId('seed-input').fill(String(values.seed));
  }
  if (values.prompt !== undefined) {
    await page.getByTestId('prompt-input').fill(values.prompt);
  }
}

test('type a prompt, Ctrl+Enter, watch the preview change and the gauges move, then export the run’s files', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);

  // Freeze the animation so each new step redraws the same frame, and log every redraw's pixels.
  await page.getByTestId('preview-play').click();
  await expect(page.getByTestId('preview-play')).toHaveAttribute('aria-pressed', 'false');
  await inPage(
    page,
    `(() => {
      window.__previewLog = [];
      new MutationObserver(() => {
        const canvas = document.querySelector('[data-testid="preview-canvas"]');
        if (!canvas || canvas.dataset.step === undefined) { return; }
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let hash = 2166136261;
        for (const value of data) { hash = Math.imul(hash ^ value, 16777619) >>> 0; }
        window.__previewLog.push({ step: Number(canvas.dataset.step), frame: Number(canvas.dataset.frame), hash });
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-step'] });
      window.__gaugeLog = [];
      new MutationObserver((records) => {
        for (const record of records) {
          window.__gaugeLog.push(record.target.getAttribute('data-testid') + '=' + record.target.getAttribute(record.attributeName));
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-samples', 'data-points', 'data-last-rss'] });
      return true;
    })()`,
  );

  // Enough steps that the live view is caught mid-run on a fast machine (the tiny model takes ~20–80 ms a step).
  const steps = 48;
  await composerSet(page, { steps, tdtm: 2, seed: 7, prompt: PROMPT });
  const forecastBudget = await numberAttribute(page.getByTestId('forecast-budget'), 'data-bytes');
  const forecastMinimum = await numberAttribute(page.getByTestId('forecast-minimum'), 'data-bytes');
  expect(forecastMinimum).toBeGreaterThan(0);

  await page.getByTestId('prompt-input').press('Control+Enter');
  const live = page.getByTestId('live-view');
  await expect(live).toHaveAttribute('data-state', /running|done/);
  await expect.poll(async () => numberAttribute(page.getByTestId('progress'), 'data-steps'), { timeout: 30_000, intervals: [50] }).toBeGreaterThanOrEqual(3);
  await live.screenshot({ path: path.join(ARTIFACTS, 'live-view.png') });

  await expect(page.getByTestId('result-view')).toHaveAttribute('data-state', 'ready', { timeout: 45_000 });
  await expect(page.getByTestId('progress')).toHaveAttribute('data-status', 'done');

  // The preview changed across steps (the same frame, redrawn at each step).
  const log = await inPage<Array<{ step: number; frame: number; hash: number }>>(page, 'window.__previewLog');
  const stepsSeen = new Set(log.map((entry) => entry.step));
  expect(stepsSeen.size).toBeGreaterThanOrEqual(3);
  expect(new Set(log.map((entry) => entry.frame)).size).toBe(1);
  expect(new Set(log.map((entry) => entry.hash)).size).toBeGreaterThanOrEqual(2);

  // The gauges moved while it ran (one memory sample and one latency point per step), unit bars, merged steps marked.
  const gaugeLog = await inPage<string[]>(page, 'window.__gaugeLog');
  expect(new Set(gaugeLog.filter((entry) => entry.startsWith('memory-chart=') || entry.startsWith('latency-sparkline='))).size).toBeGreaterThanOrEqual(2 * 3);
  await expect.poll(async () => numberAttribute(page.getByTestId('memory-chart'), 'data-samples')).toBe(steps);
  await expect(page.getByTestId('latency-sparkline')).toHaveAttribute('data-points', String(steps));
  expect(await numberAttribute(page.getByTestId('unit-timeline'), 'data-bars')).toBeGreaterThan(0);
  await expect(page.getByTestId('step-track')).toHaveAttribute('data-merged', '2');
  expect(await numberAttribute(page.getByTestId('memory-chart'), 'data-last-rss')).toBeGreaterThan(10_000_000);
  expect(await numberAttribute(page.getByTestId('resident-gauge'), 'data-bytes')).toBeGreaterThan(0);
  // The forecast shown before the run agrees with the budget the engine resolved.
  expect(await numberAttribute(page.getByTestId('resident-gauge'), 'data-budget')).toBe(forecastBudget);
  expect(await numberAttribute(page.getByTestId('resident-gauge'), 'data-minimum')).toBe(forecastMinimum);

  // The finished clip took the stage; the live view (step strip, gauges) is one tab away.
  await expect(page.getByTestId('player-canvas')).toBeVisible();
  await showStage(page, 'Live preview');
  // Scrubbing the step strip pins the preview to a step: the first and last steps differ.
  await page.getByTestId('thumb-0').click();
  const first = await canvasSample(page, 'preview-canvas');
  await page.getByTestId(`thumb-${steps - 1}`).click();
  const last = await canvasSample(page, 'preview-canvas');
  expect([first.step, last.step]).toEqual(['0', String(steps - 1)]);
  expect(first.frame).toBe(last.frame);
  expect(first.hash).not.toBe(last.hash);

  await expect(page.getByTestId('result-seed')).toHaveText('7');
  await showStage(page, 'Result player');
  await page.getByTestId('result-view').screenshot({ path: path.join(ARTIFACTS, 'result.png') });

  // Export, from the run's files on disk (served by the authenticated media route): the MP4 and its sidecar record.
  const downloads: Download[] = [];
  page.on('download', (download) => downloads.push(download));
  await page.getByTestId('export-mp4').click();
  await expect(page.getByTestId('export-status')).toHaveAttribute('data-kind', 'done', { timeout: 30_000 });
  await expect.poll(() => downloads.length).toBe(2);
  await checkMp4Export(downloads, steps);
  const before = downloads.length;

  // The record alone, GIF (with its sidecar) at the written scale and at 2×, and the current frame as PNG (the record inside it).
  await page.getByTestId('export-json').click();
  await expect.poll(() => downloads.length).toBe(before + 1);
  const record = JSON.parse((await downloadBytes(downloads[before])).toString('utf8')) as Record<string, unknown>;
  expect(record).toMatchObject({ kind: 'on-device-sora-studio/reproducibility-record', prompt: PROMPT, seed: 7, request: { steps, tdtmMergedSteps: 2 } });
  await page.getByTestId('export-gif').click();
  await expect.poll(() => downloads.length).toBe(before + 3);
  const gif = await downloadBytes(downloads.find((download) => download.suggestedFilename().endsWith('.gif'))!);
  const gifRecord = JSON.parse((await downloadBytes(downloads.find((download) => download.suggestedFilename().endsWith('.gif.json'))!)).toString('utf8')) as {
    seed: number;
    files: { width: number; height: number; scale: number };
  };
  expect(gif.toString('latin1', 0, 6)).toBe('GIF89a');
  expect(gifRecord).toEqual(record);
  expect([gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual([gifRecord.files.width, gifRecord.files.height]);
  expect(gifRecord.files.width).toBeGreaterThanOrEqual(256);
  await page.getByTestId('export-scale').selectOption('2');
  await page.getByTestId('export-gif').click();
  await expect.poll(() => downloads.length).toBe(before + 5);
  const smallGif = await downloadBytes(downloads[before + 3].suggestedFilename().endsWith('.gif') ? downloads[before + 3] : downloads[before + 4]);
  expect([smallGif.readUInt16LE(6), smallGif.readUInt16LE(8)]).toEqual([(gifRecord.files.width / gifRecord.files.scale) * 2, (gifRecord.files.height / gifRecord.files.scale) * 2]);
  await page.getByTestId('export-png').click();
  await expect.poll(() => downloads.length).toBe(before + 6);
  const png = await downloadBytes(downloads[before + 5]);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(JSON.parse(pngText(png, 'on-device-sora-studio') ?? '{}')).toEqual(record);
  await expect(page.getByTestId('export-status')).toContainText('record embedded');
});

/** The MP4 download is H.264 with a packet per frame and the record in its comment tag; its sidecar is the same record. */
async function checkMp4Export(downloads: Download[], steps: number): Promise<void> {
  const mp4Download = downloads.find((download) => download.suggestedFilename().endsWith('.mp4'));
  const recordDownload = downloads.find((download) => download.suggestedFilename().endsWith('.mp4.json'));
  expect(mp4Download?.suggestedFilename()).toBe('a-yellow-square-moving-up-on-a-black-background-seed7.mp4');
  const record = JSON.parse((await downloadBytes(recordDownload!)).toString('utf8')) as {
    app: { version: string };
    model: { id: string };
    clip: { frames: number };
  };
  const appVersion = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
  expect(record).toMatchObject({ prompt: PROMPT, seed: 7, app: { version: appVersion.version }, request: { steps, tdtmMergedSteps: 2 } });
  expect(record.model.id).toMatch(/^shapes-tiny/);

  // Read it back with a demuxer: one H.264 track, the index first, a packet per frame, the record in the comment tag.
  const facts = await readMp4Facts(await downloadBytes(mp4Download!));
  expect(facts.topLevel.slice(0, 3)).toEqual(['ftyp', 'moov', 'mdat']);
  expect(facts).toMatchObject({ codec: 'avc', packetCount: record.clip.frames });
  expect(JSON.parse(facts.comment ?? '{}')).toEqual(record);
}

async function downloadBytes(download: Download): Promise<Buffer> {
  const target = path.join(ARTIFACTS, download.suggestedFilename());
  await download.saveAs(target);
  return fs.readFileSync(target);
}

/** The text of a PNG's iTXt chunk with this keyword (uncompressed, no language tag). */
function pngText(png: Buffer, keyword: string): string | null {
  for (let offset = 8; offset + 12 <= png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('latin1', offset + 4, offset + 8) === 'iTXt') {
      const data = png.subarray(offset + 8, offset + 8 + length);
      const keywordEnd = data.indexOf(0);
      if (data.toString('latin1', 0, keywordEnd) === keyword) {
        const languageEnd = data.indexOf(0, keywordEnd + 3);
        const translatedEnd = data.indexOf(0, languageEnd + 1);
        return data.subarray(translatedEnd + 1).toString('utf8');
      }
    }
    offset += 12 + length;
  }
  return null;
}

test('generate while a job runs: reorder and cancel the queue, finish now, Esc cancels the running job', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);
  const queue = page.getByTestId('queue-panel');

  await composerSet(page, { steps: 120, prompt: 'a red circle moving left' });
  await page.keyboard.press('Control+Enter');
  await expect(queue).toHaveAttribute('data-running', '1');
  await composerSet(page, { steps: 120, prompt: 'a blue square moving right' });
  await page.getByTestId('generate-button').click();
  await expect(queue).toHaveAttribute('data-waiting', '1');
  await composerSet(page, { prompt: 'a green triangle moving down' });
  await page.getByTestId('prompt-input').press('Control+Enter');
  await expect(queue).toHaveAttribute('data-waiting', '2');

  const rows = queue.getByTestId('queue-row');
  const idOf = async (prompt: string): Promise<string> => (await rows.filter({ hasText: prompt }).getAttribute('data-job-id')) ?? '';
  const [red, blue, green] = [await idOf('red circle'), await idOf('blue square'), await idOf('green triangle')];
  await expect(rows.nth(0)).toHaveAttribute('data-job-id', red);
  await expect(rows.nth(1)).toHaveAttribute('data-job-id', blue);
  await expect(rows.nth(2)).toHaveAttribute('data-job-id', green);

  // Reorder: the green triangle moves ahead of the blue square.
  await queue.getByRole('button', { name: 'Move “a green triangle moving down” up' }).click();
  await expect(rows.nth(1)).toHaveAttribute('data-job-id', green);
  await expect(rows.nth(2)).toHaveAttribute('data-job-id', blue);

  // Cancel the queued blue square.
  await queue.getByRole('button', { name: 'Cancel queued job “a blue square moving right”' }).click();
  await expect(queue).toHaveAttribute('data-waiting', '1');
  const ended = page.getByTestId('ended-jobs');
  await expect(ended.locator(`[data-job-id="${blue}"]`)).toHaveAttribute('data-status', 'cancelled');

  // Finish the running job now: it leaps at the next step and ends early.
  await expect.poll(async () => numberAttribute(page.getByTestId('progress'), 'data-steps'), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  await page.getByTestId('finish-now-button').click();
  await expect(ended.locator(`[data-job-id="${red}"]`)).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('result-view')).toHaveAttribute('data-job-id', red);
  await expect(ended.locator(`[data-job-id="${red}"]`)).toContainText('leapt at');

  // The green triangle runs next; Esc cancels it.
  await expect(queue.locator(`[data-testid="queue-row"][data-state="running"]`)).toHaveAttribute('data-job-id', green);
  await expect(page.getByTestId('live-view')).toHaveAttribute('data-job-id', green);
  await page.getByTestId('prompt-input').press('Escape');
  await expect(ended.locator(`[data-job-id="${green}"]`)).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  await expect(queue).toHaveAttribute('data-running', '0');
  await expect(queue).toHaveAttribute('data-waiting', '0');
});

test('the composer: forecast per budget, backend errors beside it, ↑ recalls prompts, every control is labelled', async ({ page }) => {
  test.setTimeout(60_000);
  await openStudio(page);
  await composerSet(page, { steps: 4, prompt: 'a white circle bouncing' });
  await openComposerSettings(page);

  // A budget below the minimum working set: the forecast says so before the run, the backend refuses it.
  await page.getByTestId('budget-mode').selectOption('bytes');
  await page.getByTestId('budget-bytes').fill('1KB');
  await expect(page.getByTestId('forecast')).toHaveAttribute('data-kind', 'below-minimum');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('composer-error')).toHaveAttribute('data-code', 'INVALID_PARAMS');
  await expect(page.getByTestId('composer-error')).toContainText('below the smallest working set');

  // "min" streams everything: nothing resident, the peak is the minimum working set.
  await page.getByTestId('budget-mode').selectOption('min');
  await expect(page.getByTestId('forecast')).toHaveAttribute('data-kind', 'ok');
  await expect(page.getByTestId('forecast-resident')).toHaveAttribute('data-bytes', '0');
  const minimum = await page.getByTestId('forecast-minimum').getAttribute('data-bytes');
  await expect(page.getByTestId('forecast-peak')).toHaveAttribute('data-bytes', minimum ?? '');
  // "all" keeps every denoiser unit: more resident than nothing, a peak above the minimum working set (both include
  // the clip's activations).
  await page.getByTestId('budget-mode').selectOption('all');
  expect(await numberAttribute(page.getByTestId('forecast-resident'), 'data-bytes')).toBeGreaterThan(0);
  expect(await numberAttribute(page.getByTestId('forecast-peak'), 'data-bytes')).toBeGreaterThan(Number(minimum));

  // A leap step past the step count is refused by the backend, with its message next to the composer.
  await page.getByTestId('lpl-mode').selectOption('fixed');
  await page.getByTestId('leap-step-input').fill('50');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('composer-error')).toHaveAttribute('data-code', 'INVALID_PARAMS');
  await expect(page.getByTestId('composer-error')).toContainText('leap step 50');
  await page.getByTestId('lpl-mode').selectOption('off');

  // A run that goes through clears the error and is remembered: ↑ in an empty prompt brings it back.
  await page.getByTestId('prompt-input').press('Control+Enter');
  await expect(page.getByTestId('composer-error')).toHaveCount(0);
  await expect(page.getByTestId('ended-jobs').locator('[data-status="done"]')).toHaveCount(1, { timeout: 30_000 });
  await page.getByTestId('prompt-input').fill('');
  await page.getByTestId('prompt-input').press('ArrowUp');
  await expect(page.getByTestId('prompt-input')).toHaveValue('a white circle bouncing');

  // Presets keep settings (not the prompt).
  await page.getByTestId('steps-input').fill('9');
  await page.getByTestId('preset-name').fill('quick');
  await page.getByTestId('preset-name').press('Enter');
  await page.getByTestId('steps-input').fill('30');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('steps-input')).toHaveValue('9');

  // Every control has a label or an accessible name.
  const unlabelled = await inPage<string[]>(
    page,
    `Array.from(document.querySelectorAll('button, input, select, textarea'))
      .filter((el) => !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.labels && el.labels.length > 0) || (el.tagName === 'BUTTON' && el.textContent.trim())))
      .map((el) => el.outerHTML.slice(0, 120))`,
  );
  expect(unlabelled).toEqual([]);
});
