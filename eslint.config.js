import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layers by runtime (README.md §Source layout), enforced here:
 * - src/shared: pure TS, imports nothing from main, renderer, preload, node or electron;
 * - src/main/engine: Node + onnxruntime-node only; never electron, the store, hosts, backend or UI;
 * - src/renderer: never node or electron.
 */
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url', 'stream'];

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'models/**', 'test-results/**', 'playwright-report/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      curly: ['error', 'all'],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'src/shared is pure TypeScript: no Electron.' }],
          patterns: [
            { group: nodeBuiltins, message: 'src/shared is pure TypeScript: no Node built-ins.' },
            { group: ['**/main/**', '**/renderer/**', '**/preload/**', 'onnxruntime-node', 'better-sqlite3', 'react', 'react-dom'], message: 'src/shared imports only src/shared.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/engine/**/*.ts', 'src/main/engine/**/*.mjs'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The engine never imports Electron: it runs in a utilityProcess, a Node child process and the CLI.' },
            { name: 'onnxruntime-node', allowTypeImports: true, message: 'Only runtime/ort.ts (and the worker body) import onnxruntime-node: every session has one owner.' },
          ],
          patterns: [
            { group: ['**/store/**', '**/engine-host/**', '**/engine-process/**', '**/backend/**', '**/web-host/**', '**/electron/**', '**/renderer/**', '**/preload/**', 'better-sqlite3', 'react', 'react-dom'], message: 'The engine imports only src/shared, Node and onnxruntime-node.' },
          ],
        },
      ],
    },
  },
  {
    // The one owner of onnxruntime-node on the engine thread keeps the electron/store rules but may import ORT.
    files: ['src/main/engine/runtime/ort.ts', 'src/main/engine/runtime/ortWorker.mjs'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The engine never imports Electron.' }] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // Hooks run unconditionally, in the same order; effects and memos list everything they read.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer never imports Electron: use src/renderer/src/ipc/studio.ts.' }],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer never imports Node built-ins.' },
            { group: ['**/main/**', 'onnxruntime-node', 'better-sqlite3'], message: 'The renderer talks to the backend only through the studio contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/**', '**/renderer/**', 'zod'], message: 'The preload bundles only src/shared/ipc allowlists and Electron.' }] },
      ],
    },
  },
);
