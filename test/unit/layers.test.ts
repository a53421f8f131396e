import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layer rules of eslint.config.js really fire (a rule that never fires proves nothing). */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it('the engine may not import electron', async () => {
    const messages = await restrictedImportMessages('src/main/engine/forbidden.ts', "import { app } from 'electron';\nexport const x = app;\n");
    expect(messages.join('\n')).toContain('The engine never imports Electron');
  });

  it('the engine may not import the store or the UI', async () => {
    expect(await restrictedImportMessages('src/main/engine/forbidden.ts', "import { x } from '../store/db';\nexport const y = x;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/main/engine/forbidden.ts', "import { x } from '../../renderer/src/App';\nexport const y = x;\n")).toHaveLength(1);
  });

  it('the engine may import node', async () => {
    expect(await restrictedImportMessages('src/main/engine/allowed.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).toHaveLength(0);
  });

  it('only runtime/ort.ts imports onnxruntime-node (types are fine anywhere in the engine)', async () => {
    const code = "import * as ort from 'onnxruntime-node';\nexport const y = ort;\n";
    expect((await restrictedImportMessages('src/main/engine/pipeline/forbidden.ts', code)).join('\n')).toContain('Only runtime/ort.ts');
    expect(await restrictedImportMessages('src/main/engine/runtime/ort.ts', code)).toHaveLength(0);
    expect(await restrictedImportMessages('src/main/engine/runtime/types.ts', "import type { InferenceSession } from 'onnxruntime-node';\nexport type S = InferenceSession;\n")).toHaveLength(0);
  });

  it('shared may not import node, electron or main', async () => {
    expect(await restrictedImportMessages('src/shared/forbidden.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/shared/forbidden.ts', "import { app } from 'electron';\nexport const y = app;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/shared/forbidden.ts', "import { x } from '../main/engine';\nexport const y = x;\n")).toHaveLength(1);
  });

  it('the renderer may not import node or electron', async () => {
    expect(await restrictedImportMessages('src/renderer/src/forbidden.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/renderer/src/forbidden.ts', "import { ipcRenderer } from 'electron';\nexport const y = ipcRenderer;\n")).toHaveLength(1);
  });
});
