import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type LaunchOptions } from '@playwright/test';

/**
 * Where the browser tests look for a Chromium-family browser, in order: the one named by $STUDIO_CHROMIUM, the
 * system's Chromium (Debian's `chromium` package), a browser installed by `npx playwright install chromium`, and an
 * installed Google Chrome. Playwright downloads nothing by itself here.
 */
export interface BrowserCandidate {
  readonly source: string;
  readonly path: string | undefined;
}

function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined; // no browser registry entry for this platform
  }
}

function googleChromePaths(): string[] {
  switch (process.platform) {
    case 'darwin':
      return [
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        path.join(os.homedir(), 'Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
      ];
    case 'win32':
      return [path.join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google\\Chrome\\Application\\chrome.exe')];
    default:
      return ['/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome'];
  }
}

export function browserCandidates(): BrowserCandidate[] {
  return [
    { source: '$STUDIO_CHROMIUM', path: process.env.STUDIO_CHROMIUM },
    { source: 'system Chromium', path: '/usr/bin/chromium' },
    { source: 'system Chromium', path: '/usr/bin/chromium-browser' },
    { source: 'Playwright browsers (npx playwright install chromium)', path: playwrightChromium() },
    ...googleChromePaths().map((p) => ({ source: 'Google Chrome', path: p })),
  ];
}

export function chromiumExecutable(): string | undefined {
  return browserCandidates().find((candidate) => candidate.path && fs.existsSync(candidate.path))?.path;
}

/** Why the browser tests cannot run: every place looked at, and the one command that installs a browser here. */
export function noBrowserReason(): string {
  const looked = browserCandidates().map((c) => `${c.source}: ${c.path ?? '(not set)'}`).join('; ');
  const install = process.platform === 'linux' && fs.existsSync('/usr/bin/apt-get')
    ? 'apt-get install -y chromium'
    : 'npx playwright install chromium';
  return `No Chromium or Google Chrome found. Looked at ${looked}. Install one with \`${install}\`, or set STUDIO_CHROMIUM to a browser's executable.`;
}

export function chromiumLaunchOptions(): LaunchOptions {
  return {
    executablePath: chromiumExecutable(),
    // These flags keep the browser from reaching out to the network, which a build machine may refuse.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  };
}
