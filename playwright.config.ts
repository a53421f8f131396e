import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/e2e/support/browser';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  globalSetup: './test/e2e/support/globalSetup.ts',
  reporter: [['list'], ['json']],
  outputDir: 'test-results/e2e-artifacts',
  use: {
    launchOptions: chromiumLaunchOptions(),
    screenshot: 'only-on-failure',
  },
});
