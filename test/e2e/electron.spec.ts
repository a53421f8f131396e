import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary, NO_ELECTRON_REASON } from './support/electron';

// Runs where an Electron binary exists (a Mac or desktop Linux after `npx install-electron`).
test.skip(!electronBinary(), NO_ELECTRON_REASON);

test('the desktop window opens with the studio contract exposed by the preload', async () => {
  // Its own data folder: the window never touches the real home's.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-electron-e2e-'));
  const app = await electron.launch({ executablePath: electronBinary(), args: [path.resolve('.')], env: { ...process.env, STUDIO_DATA_DIR: dataDir } });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('app-title')).toHaveText('On-device Sora Studio');
    expect(await window.evaluate(() => typeof (window as unknown as { studio?: unknown }).studio)).toBe('object');
    expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    await expect(window.getByTestId('sys-runtime-check')).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  } finally {
    await app.close();
  }
});
