#!/usr/bin/env node
// `npm run measure:main-rss [-- --runs 20] [--steps 2] [--server out/main/server.js]`: the studio main
// process's resident memory across N finished runs of the Open-Sora test package (test/fixtures/packages/opensora-tiny,
// its default clip: 144p 16:9, 51 frames). Starts the built studio in browser mode on a scratch data folder, makes
// each run over the contract and fetches its result as the UI does, reads the main process's RSS after each, and
// prints the figures and the growth per run (least-squares slope) as JSON.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { ensureBuilt, repoRoot, startBrowserServer } from './lib.mjs';

const option = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const RUNS = Number(option('--runs', '20'));
const STEPS = Number(option('--steps', '2'));
const SERVER = path.resolve(option('--server', path.join(repoRoot, 'out', 'main', 'server.js')));
const PACKAGE = path.join(repoRoot, 'test', 'fixtures', 'packages', 'opensora-tiny');

function rssBytes(pid) {
  // ps works on Linux and macOS alike (kilobytes).
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;
}

function connect(url) {
  const ws = new WebSocket(`ws://${url.host}/ws?token=${encodeURIComponent(url.searchParams.get('token'))}`, { origin: url.origin, maxPayload: 1024 ** 3 });
  let nextId = 1;
  const replies = new Map();
  const listeners = new Set();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.type === 'event') {
      listeners.forEach((listener) => listener(frame));
    } else if (frame.type === 'result') {
      replies.get(frame.id)?.(frame);
      replies.delete(frame.id);
    }
  });
  const call = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      replies.set(id, (frame) => (frame.ok ? resolve(frame.value) : reject(new Error(`${method}: ${frame.error.message}`))));
      ws.send(JSON.stringify({ type: 'invoke', id, method, params }));
    });
  const finished = (jobId) =>
    new Promise((resolve, reject) => {
      const listener = (frame) => {
        const { channel, payload } = frame;
        if (channel !== 'generation.event' || payload.jobId !== jobId || !['done', 'failed', 'cancelled'].includes(payload.event.kind)) {
          return;
        }
        listeners.delete(listener);
        if (payload.event.kind === 'done') {
          resolve();
        } else {
          reject(new Error(`job ${jobId}: ${JSON.stringify(payload.event)}`));
        }
      };
      listeners.add(listener);
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ call, finished, close: () => ws.close() }));
    ws.once('error', reject);
  });
}

function slope(values) {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((sum, value) => sum + value, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((value, x) => {
    num += (x - meanX) * (value - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

if (SERVER === path.join(repoRoot, 'out', 'main', 'server.js')) {
  ensureBuilt({ quiet: true });
}
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-main-rss-'));
const dataDir = path.join(scratch, 'data');
// The package as an added model (what "Add model…" leaves in the data folder).
fs.cpSync(PACKAGE, path.join(dataDir, 'models', 'opensora-tiny'), { recursive: true });
const server = await startBrowserServer(dataDir, SERVER);
try {
  const client = await connect(new URL(server.url));
  const startRss = rssBytes(server.pid);
  const rss = [];
  let clip;
  for (let run = 0; run < RUNS; run++) {
    const { jobId } = await client.call('generation.start', { prompt: `a cat walking in the snow, take ${run}`, modelId: 'opensora-tiny', steps: STEPS, seed: run });
    await client.finished(jobId);
    // As the UI does when the result shows.
    const result = await client.call('generation.result', { jobId });
    clip = { width: result.width, height: result.height, frames: result.summary.settings.frames };
    rss.push(rssBytes(server.pid));
  }
  client.close();
  const mb = (bytes) => Math.round((bytes / 1e6) * 10) / 10;
  process.stdout.write(
    `${JSON.stringify(
      {
        server: path.relative(repoRoot, SERVER),
        clip,
        runs: RUNS,
        steps: STEPS,
        rssBeforeFirstRunMB: mb(startRss),
        rssAfterEachRunMB: rss.map(mb),
        growthPerRunMB: Math.round((slope(rss) / 1e6) * 100) / 100,
        growthFirstToLastMB: mb(rss[rss.length - 1] - rss[0]),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await server.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}
