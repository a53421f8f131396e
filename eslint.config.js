import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layers by runtime (README.md §Source layout), enforced here:
 * - src/shared: pure TS, imports nothing from main, renderer, preload, node or electron;
 * - src/main/engine: Node + onnxruntime-node only; never electron, the store, hosts, backend or UI;
 * - src/renderer: never node or electron;
 * - src/main/backend: no electron, UI or hosts; the engine only through its index (src/main/engine/index.ts) or the
 *   engine modules that load no onnxruntime (the package reader, the models folder, request settings, the output writers): the
 *   index re-exports generateVideo, which would load onnxruntime-node into the host process;
 * - src/main/engine-host: talks to the engine process by messages: no engine modules, no electron, store, backend or UI;
 * - src/main/bench: measures the engine (any engine module), never electron, the store, the backend or UI.
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
    files: ['src/main/backend/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The backend is transport-independent: no Electron.' },
            { name: 'onnxruntime-node', message: 'The backend never loads onnxruntime: the engine runs in its own process.' },
          ],
          patterns: [
            { group: ['**/renderer/**', '**/preload/**', '**/web-host/**', '**/electron/**', '**/engine-process/**'], message: 'The backend does not import hosts or UI.' },
            {
              regex: '(^|/)engine/(?!(index|package/modelPackage|package/packageFiles|output/\\w+|paths|pipeline/settings)$).+',
              message: 'The backend uses the engine through src/main/engine/index.ts (or the package reader, its file checks, the output writers (export uses the one MP4 encoder), paths and settings, which load no onnxruntime).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/engine-host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The engine host serves Node and Electron alike: the Electron connection lives in src/main/electron.' },
            { name: 'onnxruntime-node', message: 'The engine host never loads onnxruntime: the engine runs in its own process.' },
          ],
          patterns: [
            { group: ['**/engine/**', '**/store/**', '**/backend/**', '**/renderer/**', '**/preload/**', '**/web-host/**', '**/electron/**'], message: 'The engine host talks to the engine process by messages (src/main/engine-host/protocol.ts) and imports only src/shared and Node.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The bench runs under Node: no Electron.' }],
          patterns: [
            { group: ['**/store/**', '**/backend/**', '**/renderer/**', '**/preload/**', '**/web-host/**', '**/electron/**'], message: 'The bench measures the engine; it imports the engine, its host and src/shared only.' },
          ],
        },
      ],
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
