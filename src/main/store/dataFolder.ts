import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The studio's data folder: the database, one media folder per run under outputs/, and tmp/ for work that must
 * not be seen half done (imports are staged there, exports written there before they are moved into place).
 */
export interface DataFolder {
  root: string;
  databasePath: string;
  outputsDir: string;
  /** Packages added with "Add model…", one folder per model id. */
  modelsDir: string;
  tmpDir: string;
}

/** Where the studio keeps its data when STUDIO_DATA_DIR does not say (the test harness checks no test writes there). */
export function defaultDataRoot(): string {
  return path.join(os.homedir(), '.on-device-sora-studio');
}

/** Browser mode and the CLIs keep their data in STUDIO_DATA_DIR, or the default data root. */
export function studioDataRoot(): string {
  return process.env.STUDIO_DATA_DIR ?? defaultDataRoot();
}

export function dataFolder(root: string): DataFolder {
  const resolved = path.resolve(root);
  return {
    root: resolved,
    databasePath: path.join(resolved, 'studio.db'),
    outputsDir: path.join(resolved, 'outputs'),
    modelsDir: path.join(resolved, 'models'),
    tmpDir: path.join(resolved, 'tmp'),
  };
}

/** A run's media folder, relative to the data folder with forward slashes (what the database keeps). */
export function runMediaDirName(runId: string): string {
  return `outputs/${runId}`;
}

/** The files of one run as the engine writes them (base name "clip") plus the studio's thumbnail. */
export const RUN_MEDIA = {
  gif: 'clip.gif',
  mp4: 'clip.mp4',
  record: 'clip.json',
  framesDir: 'clip-frames',
  thumbnail: 'thumb.png',
} as const;

export interface RunMediaFiles {
  thumbnail: string | null;
  gif: string | null;
  mp4: string | null;
  record: string | null;
  /** Frame PNGs in order. */
  frames: string[];
}

const FRAME_NAME = /^frame-\d{3,5}\.png$/;

/** The media files that exist in a run's folder (absolute paths). */
export function listRunMedia(dir: string): RunMediaFiles {
  const existing = (name: string): string | null => {
    const file = path.join(dir, name);
    return fs.existsSync(file) ? file : null;
  };
  const framesDir = path.join(dir, RUN_MEDIA.framesDir);
  const frames = fs.existsSync(framesDir)
    ? fs
        .readdirSync(framesDir)
        .filter((name) => FRAME_NAME.test(name))
        // By frame number: "frame-1000" comes after "frame-999", not after "frame-100".
        .sort((a, b) => Number(a.slice(6, -4)) - Number(b.slice(6, -4)))
        .map((name) => path.join(framesDir, name))
    : [];
  return { thumbnail: existing(RUN_MEDIA.thumbnail), gif: existing(RUN_MEDIA.gif), mp4: existing(RUN_MEDIA.mp4), record: existing(RUN_MEDIA.record), frames };
}

/** Gives a finished run its thumbnail: the middle frame's PNG (already upscaled for viewing). Returns its path. */
export function writeThumbnail(dir: string): string | null {
  const { frames, thumbnail } = listRunMedia(dir);
  if (thumbnail) {
    return thumbnail;
  }
  if (frames.length === 0) {
    return null;
  }
  const target = path.join(dir, RUN_MEDIA.thumbnail);
  fs.copyFileSync(frames[Math.floor(frames.length / 2)], target);
  return target;
}
