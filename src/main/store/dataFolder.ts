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

/** The app's name as Electron sees it (package.json productName): it names the folder Electron's userData is. */
export const STUDIO_APP_NAME = 'On-device Sora Studio';

/** What the data folder's place depends on; injected in tests, the running process's by default. */
export interface HostFacts {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
}

export function currentHostFacts(): HostFacts {
  return { platform: process.platform, env: process.env, homeDir: os.homedir() };
}

/**
 * The per-user folder Electron's app.getPath('appData') gives on each OS: macOS ~/Library/Application Support,
 * Windows %APPDATA%, elsewhere $XDG_CONFIG_HOME or ~/.config.
 */
function appDataDir({ platform, env, homeDir }: HostFacts): string {
  if (platform === 'darwin') {
    return path.posix.join(homeDir, 'Library', 'Application Support');
  }
  if (platform === 'win32') {
    return env.APPDATA || path.win32.join(homeDir, 'AppData', 'Roaming');
  }
  return env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(homeDir, '.config');
}

/**
 * The data folder of every entry point (window, browser mode, CLIs): STUDIO_DATA_DIR when set, else the folder
 * Electron's app.getPath('userData') is for this app (appData/NAME), computed here without Electron.
 */
export function studioDataRoot(facts: HostFacts = currentHostFacts()): string {
  if (facts.env.STUDIO_DATA_DIR) {
    return facts.env.STUDIO_DATA_DIR;
  }
  const join = facts.platform === 'win32' ? path.win32.join : path.posix.join;
  return join(appDataDir(facts), STUDIO_APP_NAME);
}

/** The data folder when STUDIO_DATA_DIR does not say (the test harness checks that no test writes there). */
export function defaultDataRoot(facts: HostFacts = currentHostFacts()): string {
  return studioDataRoot({ ...facts, env: { ...facts.env, STUDIO_DATA_DIR: undefined } });
}

/**
 * Where earlier versions kept data: the CLIs and browser mode in ~/.on-device-sora-studio, the window in Electron's
 * userData under the package name (before the app had a product name).
 */
export function legacyDataRoots(facts: HostFacts = currentHostFacts()): string[] {
  const join = facts.platform === 'win32' ? path.win32.join : path.posix.join;
  return [join(facts.homeDir, '.on-device-sora-studio'), join(appDataDir(facts), 'on-device-sora-studio')];
}

/** The studio's own settings (the outputs folder), beside the database. */
export function settingsFile(folder: DataFolder): string {
  return path.join(folder.root, 'settings.json');
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
  /** The image a run was started from (image-to-video), as uploaded: `reference.png` or `reference.jpg`. */
  referenceBase: 'reference',
} as const;

/** The extensions a run's reference image is kept under, by its kind. */
export const REFERENCE_IMAGE_EXTENSIONS = { png: 'png', jpeg: 'jpg' } as const;

export interface RunMediaFiles {
  thumbnail: string | null;
  gif: string | null;
  mp4: string | null;
  record: string | null;
  /** Frame PNGs in order. */
  frames: string[];
  /** The image the run started from (image-to-video), or null. */
  reference: string | null;
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
  const reference = Object.values(REFERENCE_IMAGE_EXTENSIONS).reduce<string | null>((found, ext) => found ?? existing(`${RUN_MEDIA.referenceBase}.${ext}`), null);
  return { thumbnail: existing(RUN_MEDIA.thumbnail), gif: existing(RUN_MEDIA.gif), mp4: existing(RUN_MEDIA.mp4), record: existing(RUN_MEDIA.record), frames, reference };
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
