import { chromiumExecutable, noBrowserReason } from './browser';
import { electronBinary, NO_ELECTRON_REASON } from './electron';
import { guardRealDataFolder } from '../../support/realDataFolderGuard';

/** Returns the global teardown: the run fails when a test wrote to the user's real data folder. */
export default function globalSetup(): () => void {
  // The browser tests are the studio's end-to-end proof: without a browser they fail, they do not skip.
  if (!chromiumExecutable()) {
    throw new Error(`[e2e] cannot run the browser tests: ${noBrowserReason()}`);
  }
  if (!electronBinary()) {
    process.stdout.write(`\n[e2e] SKIPPING Electron-window tests: ${NO_ELECTRON_REASON}\n`);
  }
  return guardRealDataFolder('playwright');
}
