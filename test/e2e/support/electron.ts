import fs from 'node:fs';
import path from 'node:path';

/** The Electron binary, when this machine has one (electron >= 42 fetches it lazily; here the fetch fails). */
export function electronBinary(): string | undefined {
  const pkgDir = path.resolve('node_modules', 'electron');
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return undefined;
  }
  const binary = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : undefined;
}

export const NO_ELECTRON_REASON =
  'No Electron binary in node_modules/electron (it is downloaded by `npx install-electron`, which needs GitHub; run it on a Mac/desktop machine).';
