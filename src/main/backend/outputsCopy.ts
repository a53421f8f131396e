import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import { checkOutputTarget } from '../engine/output/outputTarget';

/** A readable folder or file name for a clip: "2026-12-06T23-59-01-a-red-circle-moving-left". */
export function clipBaseName(prompt: string, at: Date = new Date()): string {
  const slug = prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'clip';
  return `${at.toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${slug}`;
}

/**
 * Copies a run's outputs (clip.gif, clip.mp4, clip.json, clip-frames/) to FILE.gif, FILE.mp4, FILE.json,
 * FILE-frames/ for the base path FILE. Returns the copies' paths.
 */
export function copyOutputs(outputs: readonly string[], outBase: string): string[] {
  fs.mkdirSync(path.dirname(outBase), { recursive: true });
  return outputs.map((output) => {
    const target = `${outBase}${path.basename(output).replace(/^clip/, '')}`;
    fs.cpSync(output, target, { recursive: true });
    return target;
  });
}

/**
 * The outputs-folder setting: where finished clips are also saved, each in a folder named by time and prompt
 * (the data folder keeps the run's own copy for the history). Kept in the data folder's settings.json.
 */
export class OutputsFolderSetting {
  constructor(private readonly settingsFile: string) {}

  get(): { copyDir: string | null } {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.settingsFile, 'utf8')) as { outputsCopyDir?: unknown };
      return { copyDir: typeof parsed.outputsCopyDir === 'string' ? parsed.outputsCopyDir : null };
    } catch {
      return { copyDir: null };
    }
  }

  /** Sets (or with null clears) the folder; it must be an absolute path to a folder this user can write. */
  set(copyDir: string | null): { copyDir: string | null } {
    if (copyDir !== null) {
      if (!path.isAbsolute(copyDir)) {
        throw new StudioError('INVALID_PARAMS', `The outputs folder must be a full path, not ${JSON.stringify(copyDir)}.`);
      }
      // Exists or can be made, takes a file (OUTPUT_UNWRITABLE in words otherwise); no room is reserved yet.
      checkOutputTarget(path.join(copyDir, 'probe'), 0);
    }
    fs.mkdirSync(path.dirname(this.settingsFile), { recursive: true });
    const temporary = `${this.settingsFile}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ outputsCopyDir: copyDir }, null, 2)}\n`);
    fs.renameSync(temporary, this.settingsFile);
    return { copyDir };
  }

  /** Copies a finished run's outputs into the folder when one is set; returns the copy's folder, or null. */
  copyFinished(prompt: string, outputs: readonly string[]): string | null {
    const { copyDir } = this.get();
    if (!copyDir) {
      return null;
    }
    const base = clipBaseName(prompt);
    copyOutputs(outputs, path.join(copyDir, base, 'clip'));
    return path.join(copyDir, base);
  }
}
