import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { encodePng } from '../../src/main/engine/output/pngWriter';
import { gifBytes } from '../support/gifBytes';
import { dataFolder, runMediaDirName, type DataFolder } from '../../src/main/store/dataFolder';
import { openStudioDatabase, type StudioDatabase } from '../../src/main/store/database';
import { type HistoryRepository } from '../../src/main/store/historyRepository';
import type { GenerationSummary } from '../../src/shared/domain/generation';
import { buildReproducibilityRecord } from '../../src/shared/domain/reproducibilityRecord';

export interface ZipSource {
  name: string;
  data: Buffer;
  /** Unix mode (e.g. 0o120777 for a symbolic link). */
  mode?: number;
  compress?: boolean;
}

/** A zip built in memory with yazl. */
export function zipBuffer(entries: readonly ZipSource[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    zip.addBuffer(entry.data, entry.name, { mode: entry.mode, mtime: new Date(0), compress: entry.compress ?? true });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.once('error', reject);
    zip.outputStream.once('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Renames an entry in a built zip by rewriting its name bytes (local header and central directory alike). yazl
 * refuses to write unsafe names, so archives with "../x" or "C:/x" are made this way, like a hostile tool would.
 */
export function renameEntryBytes(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) {
    throw new Error('renameEntryBytes keeps the length of the name');
  }
  const needle = Buffer.from(from);
  const out = Buffer.from(zip);
  let replaced = 0;
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) {
    Buffer.from(to).copy(out, at);
    replaced += 1;
  }
  if (replaced < 2) {
    throw new Error(`entry ${from} not found in both headers`);
  }
  return out;
}

export function tempDataFolder(): { folder: DataFolder; db: StudioDatabase } {
  const folder = dataFolder(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-archive-')), 'data'));
  return { folder, db: openStudioDatabase(folder.databasePath) };
}

/** A 4×4 clip of `frames` frames, each a flat colour, as RGBA. */
export function flatFrames(frames: number, shade: number): Uint8Array[] {
  return Array.from({ length: frames }, (_, index) => new Uint8Array(4 * 4 * 4).map((_, byte) => (byte % 4 === 3 ? 255 : (shade + index * 10) % 256)));
}

/** Records a finished run with media files in its folder, as the backend does after a generation. */
export function seedRun(folder: DataFolder, history: HistoryRepository, options: { id: string; createdAtMs: number; prompt: string; projectId: string; derivedFrom?: string; shade: number }): void {
  const dir = path.join(folder.root, runMediaDirName(options.id));
  fs.mkdirSync(path.join(dir, 'clip-frames'), { recursive: true });
  const frames = flatFrames(3, options.shade);
  frames.forEach((frame, index) => fs.writeFileSync(path.join(dir, 'clip-frames', `frame-${String(index).padStart(3, '0')}.png`), encodePng(frame, 4, 4)));
  fs.writeFileSync(path.join(dir, 'thumb.png'), encodePng(frames[1], 4, 4));
  fs.writeFileSync(path.join(dir, 'clip.gif'), gifBytes(frames, 4, 4, 8));
  const settings = { prompt: options.prompt, seed: 7, steps: 30, cfgScale: 4, lpl: { kind: 'fixed' as const, leapStep: 15 }, tdtmMergedSteps: 0, memoryBudget: { kind: 'all' as const }, modelId: 'shapes-tiny', modelVersion: '1.0.0', modelPath: '/somewhere/models/shapes-tiny', frames: 3, height: 4, width: 4, fps: 8 };
  const record = buildReproducibilityRecord(settings, { stepsRun: 16, leapStep: 15, mergedSteps: 0 }, 1, { now: new Date(options.createdAtMs) });
  fs.writeFileSync(path.join(dir, 'clip.json'), `${JSON.stringify(record, null, 2)}\n`);
  const summary = {
    settings,
    promptText: options.prompt,
    promptTokens: [3, 4, 1],
    seed: 7,
    stepsRun: 16,
    leapStep: 15,
    mergedSteps: 0,
    timingsMs: { load: 0, text: 1, denoise: 2, decode: 3, write: 4, total: 10 },
    stepLatencyMs: [1, 2],
    peakRssBytes: 1000,
    peakResidentBytes: 500,
    memoryBudgetBytes: 2000,
    activationBytes: 100,
    baselineRssBytes: 400,
    outputs: [path.join(dir, 'clip.gif'), path.join(dir, 'clip-frames'), path.join(dir, 'clip.json')],
    warnings: [],
  } satisfies GenerationSummary;
  history.record({
    id: options.id,
    createdAtMs: options.createdAtMs,
    status: 'done',
    request: { prompt: options.prompt, seed: 7, lpl: { kind: 'fixed', leapStep: 15 }, modelId: 'shapes-tiny' },
    summary,
    projectId: options.projectId,
    derivedFrom: options.derivedFrom,
    manifestHash: 'abc123',
    mediaDir: runMediaDirName(options.id),
  });
}

/** Every file under a folder, relative, sorted (to prove a refused import left nothing behind). */
export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) {
    return [];
  }
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((name) => !name.startsWith('studio.db'))
    .sort();
}
