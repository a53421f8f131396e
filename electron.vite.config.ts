import fs from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * The ORT worker body is plain JS so it runs unbundled under vitest and bundled in the app alike;
 * the main build copies it, with the one module it imports, next to the entries, where the engine looks for it.
 */
function copyOrtWorker(): Plugin {
  const runtimeDir = resolve(__dirname, 'src/main/engine/runtime');
  return {
    name: 'studio-copy-ort-worker',
    generateBundle() {
      for (const name of ['ortWorker.mjs', 'valueMetadata.mjs']) {
        const source = resolve(runtimeDir, name);
        if (!fs.existsSync(source)) {
          continue;
        }
        // Next to the entries and next to the shared chunks: the runtime resolves it beside its own module.
        for (const fileName of [name, `chunks/${name}`]) {
          this.emitFile({ type: 'asset', fileName, source: fs.readFileSync(source, 'utf8') });
        }
      }
    },
  };
}

/** `@shared/…` is src/shared, the pure-TypeScript layer every runtime imports (tsconfig.base.json `paths`). */
export const sharedAlias = { '@shared': resolve(__dirname, 'src/shared') };

export default defineConfig({
  main: {
    plugins: [copyOrtWorker()],
    resolve: { alias: sharedAlias },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          engineProcess: resolve(__dirname, 'src/main/engine-process/main.ts'),
          server: resolve(__dirname, 'src/main/web-host/serverMain.ts'),
          cli: resolve(__dirname, 'src/main/cli/main.ts'),
          project: resolve(__dirname, 'src/main/cli/projectMain.ts'),
          models: resolve(__dirname, 'src/main/cli/modelsMain.ts'),
          bench: resolve(__dirname, 'src/main/bench/main.ts'),
          benchProbe: resolve(__dirname, 'src/main/bench/probeMain.ts'),
          importModel: resolve(__dirname, 'src/main/importer/cli.ts'),
          coremlReport: resolve(__dirname, 'src/main/coreml/cli.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: sharedAlias },
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads can require only Electron's own modules: bundle everything else in.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    resolve: { alias: sharedAlias },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
