import { defineConfig } from 'vitest/config';
import { sharedAlias } from './electron.vite.config';

/** `npm run test:models`: the Python model tools (exporter, ONNX vs PyTorch parity, fixture freshness). Needs python3 with torch, numpy, onnx. */
export default defineConfig({
  resolve: { alias: sharedAlias },
  test: {
    include: ['test/model/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
