import fs from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

/**
 * Playwright downloads no browsers here: use Debian's Chromium (or one named by STUDIO_CHROMIUM). The flags keep
 * it from reaching out to the network, which this machine refuses.
 */
export function chromiumExecutable(): string | undefined {
  const candidates = [process.env.STUDIO_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((candidate) => fs.existsSync(candidate));
}

export const NO_BROWSER_REASON = 'No Chromium found at $STUDIO_CHROMIUM, /usr/bin/chromium or /usr/bin/chromium-browser (install it with `apt-get install -y chromium`).';

export function chromiumLaunchOptions(): LaunchOptions {
  return {
    executablePath: chromiumExecutable(),
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
