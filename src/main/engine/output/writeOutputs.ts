import fs from 'node:fs';
import path from 'node:path';
import type { ConditioningSummary, ResolvedSettings } from '@shared/domain/generation';
import { buildReproducibilityRecord, PNG_RECORD_KEYWORD, type RecordedRun } from '@shared/domain/reproducibilityRecord';
import { APP_NAME, APP_VERSION } from '@shared/version';
import { upscaleClip, type RgbaClip } from './frames';
import { defaultExportScale } from '@shared/media/pixels';
import { encodeGif } from './gifWriter';
import { writeMp4 } from './mp4Writer';
import { outputFault } from './outputTarget';
import { encodePng } from './pngWriter';

export type OutputFormat = 'gif' | 'png' | 'mp4' | 'json';

export interface OutputOptions {
  /** Path without extension: writes <base>.gif, <base>.mp4, <base>-frames/frame-NNN.png, <base>.json. */
  basePath: string;
  formats?: OutputFormat[];
  /** Integer nearest-neighbour upscale for GIF/MP4/PNG; default: up to 256 px on the long side. */
  upscale?: number;
}

/**
 * Writes the requested formats, each carrying the one reproducibility record (PNG iTXt, MP4 comment, the JSON).
 * Each output is written under a temporary name and renamed when complete, so a failure (a full disk) leaves no
 * truncated file behind; file-system failures are OUTPUT_UNWRITABLE or DISK_FULL naming the path.
 */
export async function writeOutputs(
  clip: RgbaClip,
  made: { settings: ResolvedSettings; run: RecordedRun; reference?: ConditioningSummary },
  options: OutputOptions,
): Promise<{ paths: string[] }> {
  const formats = new Set(options.formats ?? ['gif', 'png', 'mp4', 'json']);
  const scale = options.upscale ?? defaultExportScale(clip.width, clip.height);
  // The record names a reference file by its name only, as it names the model by id: never this machine's folders.
  const reference = made.reference && { ...made.reference, source: path.basename(made.reference.source) };
  const record = buildReproducibilityRecord(made.settings, made.run, scale, { reference });
  const recordJson = JSON.stringify(record);
  const scaled = upscaleClip(clip, scale);
  const base = path.resolve(options.basePath);
  try {
    fs.mkdirSync(path.dirname(base), { recursive: true });
  } catch (error) {
    throw outputFault(error, path.dirname(base));
  }
  const paths: string[] = [];
  if (formats.has('gif')) {
    await writeComplete(`${base}.gif`, async (temp) => fs.writeFileSync(temp, await encodeGif(scaled)));
    paths.push(`${base}.gif`);
  }
  if (formats.has('png')) {
    await writeComplete(`${base}-frames`, (temp) => {
      fs.mkdirSync(temp);
      scaled.frames.forEach((frame, index) => {
        const file = path.join(temp, `frame-${String(index).padStart(3, '0')}.png`);
        fs.writeFileSync(file, encodePng(frame, scaled.width, scaled.height, { Software: `${APP_NAME} ${APP_VERSION}`, [PNG_RECORD_KEYWORD]: recordJson }));
      });
    });
    paths.push(`${base}-frames`);
  }
  if (formats.has('mp4')) {
    await writeComplete(`${base}.mp4`, (temp) => writeMp4(scaled, temp, { comment: recordJson }));
    paths.push(`${base}.mp4`);
  }
  if (formats.has('json')) {
    await writeComplete(`${base}.json`, (temp) => fs.writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`));
    paths.push(`${base}.json`);
  }
  return { paths };
}

/** Writes `target` (a file or a folder) under a temporary name in the same folder, then renames it into place. */
export async function writeComplete(target: string, write: (tempPath: string) => void | Promise<void>): Promise<void> {
  // The leading dot hides the partial file.
  const temp = path.join(path.dirname(target), `.partial-${process.pid}-${path.basename(target)}`);
  try {
    await write(temp);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw outputFault(error, target);
  }
}
