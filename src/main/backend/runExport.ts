import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { parseReproducibilityRecord, PNG_RECORD_KEYWORD, type ReproducibilityRecord } from '@shared/domain/reproducibilityRecord';
import { exportBaseName, type RunExportFormat, type RunExportRequest, type RunExportResult } from '@shared/domain/runExport';
import { StudioError } from '@shared/ipc/errors';
import { encodeGif } from '../engine/output/gifWriter';
import { downscaleNearest, upscaleNearest } from '@shared/media/pixels';
import { APP_NAME, APP_VERSION } from '@shared/version';
import type { RgbaClip } from '../engine/output/frames';
import { writeMp4 } from '../engine/output/mp4Writer';
import { encodePng } from '../engine/output/pngWriter';
import { writeComplete } from '../engine/output/writeOutputs';
import { listRunMedia, type RunMediaFiles } from '../store/dataFolder';
import { mediaUrlsOf, type MediaUrls } from './mediaRoute';

export interface RunExportOptions {
  /** Where files made for a download wait: inside the data folder, so the media route serves them. */
  workDir: string;
  media: MediaUrls;
  /** The desktop app's save dialog (null: cancelled). Absent (browser mode): the files are downloaded by URL. */
  saveAs?: (suggestedName: string, format: RunExportFormat) => Promise<string | null>;
}

/** One file of an export: a file of the run copied as it is, or one made from the run's frames. */
interface PlannedFile {
  fileName: string;
  source?: string;
  make?: (target: string) => Promise<void>;
}

/** Files made for downloads are kept this long (the browser fetches them at once). */
const WORK_FILE_AGE_MS = 60 * 60_000;

/**
 * Exports a run from its folder on disk: the MP4, GIF and frame PNG are copied byte for byte where the run has them at
 * the asked scale, else made from the frame PNGs (the MP4 with the engine's one encoder); the record is the run's
 * clip.json, beside an MP4 or GIF and inside a PNG. `label` names the run in errors.
 */
export async function exportRun(runDir: string, label: string, request: RunExportRequest, options: RunExportOptions): Promise<RunExportResult> {
  const files = runFiles(runDir, label);
  const record = readRecord(files, runDir, label);
  const scale = request.format === 'json' ? record.files.scale : (request.scale ?? record.files.scale);
  const plan = planFiles(files, record, { ...request, scale }, label);
  const detail = describe(request.format, record, scale, plan[0].source !== undefined);
  if (options.saveAs) {
    const chosen = await options.saveAs(plan[0].fileName, request.format);
    if (chosen === null) {
      return { kind: 'cancelled' };
    }
    const target = path.resolve(chosen);
    // The sidecar record goes beside the chosen file, named after it.
    const targets = [target, ...plan.slice(1).map(() => `${target}.json`)];
    const saved = [];
    for (const [index, file] of plan.entries()) {
      await writeFile(file, targets[index]);
      saved.push({ fileName: path.basename(targets[index]), path: targets[index], sizeBytes: fs.statSync(targets[index]).size });
    }
    return { kind: 'saved', files: saved, detail };
  }
  pruneWorkDir(options.workDir);
  const downloads = [];
  for (const file of plan) {
    let source = file.source;
    if (!source) {
      source = path.join(options.workDir, randomUUID(), file.fileName);
      fs.mkdirSync(path.dirname(source), { recursive: true });
      await writeFile(file, source);
    }
    const [url] = mediaUrlsOf(options.media, [source]) ?? [];
    if (!url) {
      throw new StudioError('INTERNAL', `${source} is outside the data folder, so it cannot be downloaded.`);
    }
    downloads.push({ fileName: file.fileName, url, sizeBytes: fs.statSync(source).size });
  }
  return { kind: 'download', files: downloads, detail };
}

function runFiles(runDir: string, label: string): RunMediaFiles {
  const stat = fs.statSync(runDir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new StudioError('NOT_FOUND', `The files of ${label} are gone: its folder ${runDir} does not exist.`);
  }
  return listRunMedia(runDir);
}

function readRecord(files: RunMediaFiles, runDir: string, label: string): ReproducibilityRecord {
  if (!files.record) {
    throw new StudioError('NOT_FOUND', `${label} has no reproducibility record: ${path.join(runDir, 'clip.json')} is missing.`);
  }
  try {
    return parseReproducibilityRecord(fs.readFileSync(files.record, 'utf8'), files.record);
  } catch (error) {
    throw new StudioError('INTERNAL', `${label} cannot be exported: ${(error as Error).message}`);
  }
}

function planFiles(files: RunMediaFiles, record: ReproducibilityRecord, request: RunExportRequest & { scale: number }, label: string): PlannedFile[] {
  const stem = exportBaseName(record.prompt, record.seed);
  const asWritten = request.scale === record.files.scale;
  const recordFile = files.record as string;
  const frames = (): RgbaClip => readClip(files, record, request.scale, label);
  switch (request.format) {
    case 'json':
      return [{ fileName: `${stem}.json`, source: recordFile }];
    case 'mp4': {
      const copy = asWritten && files.mp4;
      const mp4: PlannedFile = copy
        ? { fileName: `${stem}.mp4`, source: copy }
        : { fileName: `${stem}.mp4`, make: (target) => writeMp4(frames(), target, { comment: JSON.stringify(record) }) };
      return [mp4, { fileName: `${stem}.mp4.json`, source: recordFile }];
    }
    case 'gif': {
      const gif: PlannedFile =
        asWritten && files.gif
          ? { fileName: `${stem}.gif`, source: files.gif }
          : {
              fileName: `${stem}.gif`,
              make: async (target) => fs.writeFileSync(target, await encodeGif(frames())),
            };
      return [gif, { fileName: `${stem}.gif.json`, source: recordFile }];
    }
    case 'png': {
      const index = request.frameIndex ?? 0;
      if (index >= files.frames.length) {
        throw new StudioError('INVALID_PARAMS', `${label} has ${files.frames.length} frames; there is no frame ${index + 1}.`);
      }
      const fileName = `${stem}-frame${String(index + 1).padStart(2, '0')}.png`;
      if (asWritten) {
        return [{ fileName, source: files.frames[index] }];
      }
      return [
        {
          fileName,
          make: async (target) => {
            const frame = rescaleFrame(files.frames[index], record, request.scale);
            fs.writeFileSync(target, encodePng(frame, record.clip.width * request.scale, record.clip.height * request.scale, { Software: `${APP_NAME} ${APP_VERSION}`, [PNG_RECORD_KEYWORD]: JSON.stringify(record) }));
          },
        },
      ];
    }
  }
}

/** The run's frames at `scale` over the native size, from the frame PNGs as written. */
function readClip(files: RunMediaFiles, record: ReproducibilityRecord, scale: number, label: string): RgbaClip {
  if (files.frames.length !== record.clip.frames) {
    throw new StudioError('NOT_FOUND', `${label} is missing frames: its record says ${record.clip.frames}, its folder holds ${files.frames.length}.`);
  }
  return {
    width: record.clip.width * scale,
    height: record.clip.height * scale,
    fps: record.clip.fps,
    frames: files.frames.map((file) => rescaleFrame(file, record, scale)),
  };
}

/** One frame PNG as written (at the record's scale), brought to `scale` over the native size. */
function rescaleFrame(file: string, record: ReproducibilityRecord, scale: number): Uint8ClampedArray {
  let png: PNG;
  try {
    png = PNG.sync.read(fs.readFileSync(file));
  } catch (error) {
    throw new StudioError('INTERNAL', `The frame ${file} cannot be read as a PNG: ${(error as Error).message}`);
  }
  if (png.width !== record.files.width || png.height !== record.files.height) {
    throw new StudioError('INTERNAL', `The frame ${file} is ${png.width}×${png.height} px; the run's record says ${record.files.width}×${record.files.height}.`);
  }
  const rgba = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  return upscaleNearest(downscaleNearest(rgba, png.width, png.height, record.files.scale), record.clip.width, record.clip.height, scale);
}

/** Copies or makes one file at `target`, whole or not at all; a full disk is DISK_FULL naming the file. */
async function writeFile(file: PlannedFile, target: string): Promise<void> {
  await writeComplete(target, async (temp) => {
    if (file.source) {
      fs.copyFileSync(file.source, temp);
    } else {
      await file.make?.(temp);
    }
  });
}

function pruneWorkDir(workDir: string): void {
  const now = Date.now();
  for (const entry of fs.existsSync(workDir) ? fs.readdirSync(workDir) : []) {
    const dir = path.join(workDir, entry);
    if (now - fs.statSync(dir).mtimeMs > WORK_FILE_AGE_MS) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function describe(format: RunExportFormat, record: ReproducibilityRecord, scale: number, copied: boolean): string {
  if (format === 'json') {
    return 'the reproducibility record (prompt, seed, settings, model, app version)';
  }
  const size = `${record.clip.width * scale}×${record.clip.height * scale}`;
  const how = copied ? 'copied from the run’s files' : `made from the run’s frames at ${scale}×`;
  if (format === 'png') {
    return `${size}, record embedded, ${how}`;
  }
  return `${format === 'mp4' ? 'H.264 ' : ''}${size}, ${record.clip.frames} frames, ${how}; the record beside it`;
}
