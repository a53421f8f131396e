import { spawn } from 'node:child_process';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';

/**
 * Browser mode's "Reveal in Finder": the server listens on 127.0.0.1 only, so it runs on the user's own machine and
 * can ask the OS to show the file: `open -R` (macOS), `explorer /select,` (Windows), or the folder with `xdg-open`
 * elsewhere (no standard way to select a file there). A missing opener is a clear error, shown next to the button.
 */
export function revealCommand(platform: NodeJS.Platform, file: string): { command: string; args: string[] } {
  if (platform === 'darwin') {
    return { command: 'open', args: ['-R', file] };
  }
  if (platform === 'win32') {
    return { command: 'explorer.exe', args: [`/select,${file}`] };
  }
  return { command: 'xdg-open', args: [path.dirname(file)] };
}

export function revealWithSystem(platform: NodeJS.Platform = process.platform): (file: string) => Promise<void> {
  return (file) =>
    new Promise((resolve, reject) => {
      const { command, args } = revealCommand(platform, file);
      const child = spawn(command, args, { stdio: 'ignore', detached: true });
      child.once('error', (error) => reject(new StudioError('INTERNAL', `Could not show ${file}: ${command} is not available here (${error.message}).`)));
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
}
