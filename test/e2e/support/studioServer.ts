import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

export interface RunningStudio {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the built browser-mode server (out/main/server.js) on a free port and waits for its URL line. The data
 * folder is required, so that no test runs on the user's real one: STUDIO_DATA_DIR, or a scratch HOME without it
 * (the default data folder then lies inside that HOME).
 */
export async function startStudio(env: NodeJS.ProcessEnv & ({ STUDIO_DATA_DIR: string } | { HOME: string; STUDIO_DATA_DIR: undefined })): Promise<RunningStudio> {
  const child = spawn(process.execPath, [path.resolve('out/main/server.js'), '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The studio server did not start:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      const match = /STUDIO_URL=(\S+)/.exec(output);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`The studio server exited (${code}):\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          return resolve();
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A studio on a fresh data folder (empty history) and the built-in model; `stop` also removes the scratch folder. */
export async function startStudioOnScratch(label: string): Promise<RunningStudio> {
  if (!fs.existsSync(path.resolve('models', 'shapes-tiny', 'manifest.json'))) {
    throw new Error('models/shapes-tiny/manifest.json is missing: the built-in model is part of the repository; restore it with git.');
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `studio-${label}-e2e-`));
  const env = { STUDIO_DATA_DIR: path.join(scratch, 'data') };
  const studio = await startStudio(env);
  return {
    ...studio,
    stop: async () => {
      await studio.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A fresh artifacts folder under test-results/. */
export function freshArtifacts(name: string): string {
  const dir = path.resolve('test-results', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Opens the studio page and waits until the engine is ready and the model list has loaded. */
export async function openStudioPage(page: Page, studio: RunningStudio): Promise<void> {
  await page.goto(studio.url);
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-select')).toBeEnabled();
}

/**
 * For a spec file: a fresh artifacts folder and a scratch studio (startStudioOnScratch) started before its tests
 * and stopped after them. Returns the page opener for that studio.
 */
export function useScratchStudio(label: string): (page: Page) => Promise<void> {
  let studio: RunningStudio | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    freshArtifacts(label);
    studio = await startStudioOnScratch(label);
  });
  test.afterAll(async () => {
    await studio?.stop();
  });
  return async (page) => {
    if (!studio) {
      throw new Error(`the ${label} studio did not start`);
    }
    await openStudioPage(page, studio);
  };
}
