import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/ipc/errors';
import { defaultExportScale } from '@shared/media/pixels';
import { formatMegabytes } from '@shared/util/bytes';

export interface ClipGeometry {
  frames: number;
  height: number;
  width: number;
}

/**
 * An upper estimate of the bytes one clip's outputs take, at the export scale: GIF (≤ 1.5 bytes per pixel after
 * LZW), PNG frames (≤ raw RGBA, 4 bytes per pixel, plus headers), MP4 (≤ a raw YUV 4:2:0 frame, 1.5 bytes per pixel)
 * and the JSON record. Real files are far smaller; the check only needs to refuse a disk that cannot hold them.
 */
export function estimateOutputBytes(clip: ClipGeometry, upscale?: number): number {
  const scale = upscale ?? defaultExportScale(clip.width, clip.height);
  const pixels = clip.frames * clip.width * scale * clip.height * scale;
  return Math.ceil(pixels * (1.5 + 4 + 1.5)) + clip.frames * 8192 + 64 * 1024;
}

/**
 * Before the first step: the folder of `basePath` exists or can be made, takes a file, and has room for
 * `requiredBytes`. Throws OUTPUT_UNWRITABLE or DISK_FULL naming the folder and the reason in words.
 */
export function checkOutputTarget(basePath: string, requiredBytes: number): void {
  const dir = path.dirname(path.resolve(basePath));
  const { blocker, missing } = walkToFolder(dir);
  if (blocker) {
    throw new StudioError('OUTPUT_UNWRITABLE', `Cannot write the outputs to ${dir}: ${blocker} is a file, not a folder.`);
  }
  try {
    // One level at a time (not mkdir -p, which reports a read-only disk as ENOENT): the error is the real reason.
    for (const folder of missing) {
      fs.mkdirSync(folder);
    }
    const probe = path.join(dir, `.write-check-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (error) {
    throw outputFault(error, dir);
  }
  const stats = fs.statfsSync(dir);
  const freeBytes = stats.bavail * stats.bsize;
  if (freeBytes < requiredBytes) {
    throw new StudioError(
      'DISK_FULL',
      `Not enough free space for the outputs in ${dir}: ${formatMegabytes(freeBytes)} free, the clip needs up to ${formatMegabytes(requiredBytes)}.`,
    );
  }
}

/** From the root down to `dir`: the first existing path that is not a folder, or the folders still to be made. */
function walkToFolder(dir: string): { blocker?: string; missing: string[] } {
  const parts: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    parts.unshift(current);
    if (path.dirname(current) === current) {
      break;
    }
  }
  for (const [index, part] of parts.entries()) {
    const stat = fs.statSync(part, { throwIfNoEntry: false });
    if (!stat) {
      return { missing: parts.slice(index) };
    }
    if (!stat.isDirectory()) {
      return { blocker: part, missing: [] };
    }
  }
  return { missing: [] };
}

const REASONS: Record<string, [code: 'OUTPUT_UNWRITABLE' | 'DISK_FULL', reason: string]> = {
  ENOSPC: ['DISK_FULL', 'the disk is full'],
  EDQUOT: ['DISK_FULL', 'the disk quota is used up'],
  EACCES: ['OUTPUT_UNWRITABLE', 'permission denied'],
  EPERM: ['OUTPUT_UNWRITABLE', 'the operation is not permitted'],
  EROFS: ['OUTPUT_UNWRITABLE', 'the file system is read-only'],
  ENOTDIR: ['OUTPUT_UNWRITABLE', 'a part of the path is a file, not a folder'],
  EISDIR: ['OUTPUT_UNWRITABLE', 'a folder is in the way of a file'],
  ENAMETOOLONG: ['OUTPUT_UNWRITABLE', 'the path is too long'],
  ENOENT: ['OUTPUT_UNWRITABLE', 'the folder does not exist and could not be made'],
  EIO: ['OUTPUT_UNWRITABLE', 'the disk reported an I/O error'],
};

/** A file-system error while writing outputs as the typed error (path and reason in words), or itself if unknown. */
export function outputFault(error: unknown, target: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const known = code ? REASONS[code] : undefined;
  if (!known) {
    return error;
  }
  const [studioCode, reason] = known;
  return new StudioError(studioCode, `Cannot write the outputs to ${target}: ${reason}.`, code);
}
