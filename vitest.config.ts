import { defineConfig } from 'vitest/config';
import { sharedAlias } from './electron.vite.config';

/** `npm test`'s unit and integration suite: needs only Node (no Python). The model-tools suite is vitest.models.config.ts. */
export default defineConfig({
  resolve: { alias: sharedAlias },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/engine/**/*.test.ts', 'test/store/**/*.test.ts', 'test/host/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/vitestGlobalSetup.ts'],
    setupFiles: ['test/support/vitestRealDataFolderCheck.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // ONNX sessions and child processes: keep files in separate processes, one at a time on a 2-core machine.
    pool: 'forks',
    fileParallelism: false,
  },
});
