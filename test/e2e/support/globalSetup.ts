import { chromiumExecutable, NO_BROWSER_REASON } from './browser';
import { electronBinary, NO_ELECTRON_REASON } from './electron';

export default function globalSetup(): void {
  if (!chromiumExecutable()) {
    process.stdout.write(`\n[e2e] SKIPPING browser tests: ${NO_BROWSER_REASON}\n`);
  }
  if (!electronBinary()) {
    process.stdout.write(`\n[e2e] SKIPPING Electron-window tests: ${NO_ELECTRON_REASON}\n`);
  }
}
