#!/usr/bin/env node
// `npm run measure:history [-- --runs N]`: the history's frame time while scrolling N runs (default 10,000) in
// Chromium. Seeds a scratch data folder with N finished runs (each with a thumbnail), starts the built studio in
// browser mode on it, scrolls the history's body for a few seconds and prints frame-time percentiles as JSON.
/* global window, document, requestAnimationFrame -- the functions given to page.evaluate run in the page */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from '@playwright/test';
import { ensureBuilt, startBrowserServer } from './lib.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 10_000;
const SCROLL_MS = 4000;
// --hide-thumbnails: the same scroll with the thumbnail column hidden (what the thumbnails cost).
const HIDE_THUMBNAILS = process.argv.includes('--hide-thumbnails');
/** A fast, steady wheel scroll: about 45 rows a second. */
const SCROLL_PX_PER_S = 2000;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

ensureBuilt({ quiet: true });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-history-scroll-'));
const dataDir = path.join(scratch, 'data');
try {
  // First start creates the database with every migration; then the runs are written straight into it.
  const first = await startBrowserServer(dataDir);
  await first.stop();
  const media = path.join(dataDir, 'outputs', 'sample');
  fs.mkdirSync(media, { recursive: true });
  // A 1×1 PNG: every row fetches its own thumbnail (cached by run id), as with real runs.
  fs.writeFileSync(path.join(media, 'thumb.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
  const db = new Database(path.join(dataDir, 'studio.db'));
  const insert = db.prepare(`INSERT INTO generations (id, created_at_ms, finished_at_ms, status, prompt, seed, model_id, steps, steps_run, leap_step,
      merged_steps, total_ms, peak_rss_bytes, request_json, outputs_json, memory_budget_bytes, media_dir, starred)
    VALUES (?, ?, ?, 'done', ?, ?, 'shapes-tiny', 30, ?, ?, ?, ?, ?, ?, '[]', ?, 'outputs/sample', ?)`);
  const shapes = ['circle', 'square', 'triangle', 'star', 'ring'];
  const colours = ['red', 'blue', 'green', 'yellow', 'white'];
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const prompt = `a ${colours[i % 5]} ${shapes[Math.floor(i / 5) % 5]} moving ${i % 2 ? 'left' : 'right'} #${i}`;
      const leap = i % 3 === 0 ? 15 : null;
      insert.run(`run-${i}`, 1_700_000_000_000 + i * 1000, 1_700_000_000_000 + i * 1000 + 900, prompt, i, leap ? leap + 1 : 30, leap, i % 4, 900 + (i % 97), 2e8 + i, JSON.stringify({ prompt, seed: i }), 4e6, i % 7 === 0 ? 1 : 0);
    }
  })();
  db.close();

  const server = await startBrowserServer(dataDir);
  const browser = await chromium.launch({ executablePath: fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
    if (HIDE_THUMBNAILS) {
      await page.addInitScript(() => window.localStorage.setItem('studio.history.columns.v1', JSON.stringify({ thumbnail: false })));
    }
    await page.goto(server.url);
    await page.getByTestId('history-panel').and(page.locator(`[data-total="${RUNS}"]`)).waitFor({ timeout: 60_000 });
    await page.getByTestId('history-row').first().waitFor();
    // Main-thread work during the scroll (Chrome's own counters), less sensitive to a busy machine than frame pacing.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((metric) => [metric.name, metric.value]));
    const before = await metrics();
    const result = await page.evaluate(async ({ durationMs, pxPerS }) => {
      const scroller = document.querySelector('[data-testid="history-scroll"]');
      // From the middle of the list (rows far from the first block), then a steady scroll down.
      scroller.scrollTop = scroller.scrollHeight / 2;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // The machine's floor: frame times with nothing changing on the page.
      const idle = [];
      await new Promise((resolve) => {
        let previous = performance.now();
        const until = previous + 1000;
        const tick = (now) => {
          idle.push(now - previous);
          previous = now;
          if (now < until) {
            requestAnimationFrame(tick);
          } else {
            resolve();
          }
        };
        requestAnimationFrame(tick);
      });
      const from = scroller.scrollTop;
      const frames = [];
      const start = performance.now();
      let last = start;
      await new Promise((resolve) => {
        const step = (now) => {
          frames.push(now - last);
          last = now;
          const t = now - start;
          scroller.scrollTop = from + (t * pxPerS) / 1000;
          if (t < durationMs) {
            requestAnimationFrame(step);
          } else {
            resolve();
          }
        };
        requestAnimationFrame(step);
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { idle: idle.slice(1), frames: frames.slice(1), rowsRendered: document.querySelectorAll('[data-testid="history-row"]').length, scrollHeight: scroller.scrollHeight };
    }, { durationMs: SCROLL_MS, pxPerS: SCROLL_PX_PER_S });
    const after = await metrics();
    const perFrameMs = (name) => Number((((after[name] - before[name]) * 1000) / result.frames.length).toFixed(2));
    const sorted = [...result.frames].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
    const idle = [...result.idle].sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({
        runs: RUNS,
        scrollPxPerS: SCROLL_PX_PER_S,
        thumbnails: !HIDE_THUMBNAILS,
        frames: sorted.length,
        meanFrameMs: Number(mean.toFixed(2)),
        p50FrameMs: Number(percentile(sorted, 50).toFixed(2)),
        p95FrameMs: Number(percentile(sorted, 95).toFixed(2)),
        p99FrameMs: Number(percentile(sorted, 99).toFixed(2)),
        maxFrameMs: Number(sorted[sorted.length - 1].toFixed(2)),
        framesOver33ms: sorted.filter((value) => value > 33.4).length,
        scriptMsPerFrame: perFrameMs('ScriptDuration'),
        layoutMsPerFrame: perFrameMs('LayoutDuration'),
        styleMsPerFrame: perFrameMs('RecalcStyleDuration'),
        taskMsPerFrame: perFrameMs('TaskDuration'),
        idleP50FrameMs: Number(percentile(idle, 50).toFixed(2)),
        idleP95FrameMs: Number(percentile(idle, 95).toFixed(2)),
        rowsInDom: result.rowsRendered,
        scrollHeightPx: result.scrollHeight,
      })}\n`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
