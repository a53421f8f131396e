import type { TestProject } from 'vitest/node';
import { defaultDataRoot } from '../../src/main/store/dataFolder';
import { snapshotFolder } from './realDataFolderGuard';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real data folder's entries before any test ran (./realDataFolderGuard.ts). */
    realDataFolderBefore: [string, string][];
  }
}

/** vitest's global setup: snapshots the user's real data folder for ./vitestRealDataFolderCheck.ts. */
export default function setup(project: TestProject): void {
  project.provide('realDataFolderBefore', [...snapshotFolder(defaultDataRoot())]);
}
