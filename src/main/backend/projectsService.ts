import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportOutcome, Project, SaveComparisonInput, SavedComparison } from '@shared/domain/projects';
import { ARCHIVE_CHUNK_BYTES, type StoredRunClip } from '@shared/ipc/contract';
import { StudioError } from '@shared/ipc/errors';
import { exportProject } from '../store/archive/exportProject';
import { importProject } from '../store/archive/importProject';
import { ComparisonRepository } from '../store/comparisonRepository';
import { listRunMedia, runMediaDirName, type DataFolder } from '../store/dataFolder';
import type { StudioDatabase } from '../store/database';
import { HistoryRepository } from '../store/historyRepository';
import { ProjectRepository } from '../store/projectRepository';
import { mediaUrlsOf, protocolMediaUrls, type MediaUrls } from './mediaRoute';

export interface ProjectsServiceOptions {
  db: StudioDatabase;
  folder: DataFolder;
  isModelInstalled?: (modelId: string) => boolean;
  /** The stated limits on archive transfers; tests lower them. */
  transferLimits?: Partial<TransferLimits>;
}

/** Limits on archives in transit through the data folder's tmp/transfers (uploads being written, exports being read). */
export interface TransferLimits {
  /** Uploads open at once. */
  maxOpenUploads: number;
  /** Largest archive accepted through the contract (the import's own limits still apply inside it). */
  maxUploadBytes: number;
  /** Bytes the open uploads may announce together. */
  maxOpenUploadBytes: number;
  /** Exports written and waiting to be read at once. */
  maxOpenExports: number;
  /** Free space left on the data folder's disk after an upload and its unpacked media. */
  freeSpaceMarginBytes: number;
  /** An upload or export untouched this long was abandoned: its file is removed. */
  idleMs: number;
}

export const TRANSFER_LIMITS: TransferLimits = {
  maxOpenUploads: 4,
  maxUploadBytes: 4 * 1024 ** 3,
  maxOpenUploadBytes: 8 * 1024 ** 3,
  maxOpenExports: 4,
  freeSpaceMarginBytes: 256 * 1024 ** 2,
  idleMs: 10 * 60_000,
};

/** Who hears of changes (the backend, which forwards them as events). */
export interface ProjectsListener {
  projectsChanged: () => void;
  historyChanged: (id: string) => void;
}

interface Upload {
  file: string;
  fileName: string;
  sizeBytes: number;
  receivedBytes: number;
  touchedAtMs: number;
  /** While its import runs, an upload is not abandoned whatever its age. */
  importing: boolean;
}

interface Export {
  file: string;
  sizeBytes: number;
  touchedAtMs: number;
}

/** "4,294,967,296 bytes": a limit the user can check against the file. */
function byteCount(sizeBytes: number): string {
  return `${sizeBytes.toLocaleString('en-US')} bytes`;
}

/**
 * Projects, stored runs' media and saved comparisons behind the contract. Archives travel in chunks through files
 * in the data folder's tmp/ (exports are read back piece by piece, uploads written piece by piece), so neither side
 * holds a whole archive in memory.
 */
export class ProjectsService {
  readonly history: HistoryRepository;
  readonly projects: ProjectRepository;
  readonly comparisons: ComparisonRepository;
  private readonly uploads = new Map<string, Upload>();
  private readonly exports = new Map<string, Export>();
  private listener: ProjectsListener = { projectsChanged: () => undefined, historyChanged: () => undefined };
  private readonly limits: TransferLimits;

  constructor(private readonly options: ProjectsServiceOptions) {
    this.limits = { ...TRANSFER_LIMITS, ...options.transferLimits };
    // Abandoned transfers are removed on a timer (and whenever a transfer starts), not only at the next restart.
    setInterval(() => this.dropAbandoned(), Math.min(this.limits.idleMs, 60_000)).unref();
    this.history = new HistoryRepository(options.db, { isModelInstalled: options.isModelInstalled });
    this.projects = new ProjectRepository(options.db);
    this.comparisons = new ComparisonRepository(options.db);
    // Transfers left by an earlier run of the studio are of no use now.
    fs.rmSync(path.join(options.folder.tmpDir, 'transfers'), { recursive: true, force: true });
  }

  /** The project a run goes into: the one asked for while it exists (it may be deleted while the run is queued). */
  placementProject(projectId: string | undefined): string | undefined {
    return projectId && this.projects.get(projectId) ? projectId : undefined;
  }

  /** Deletes one run and its media folder. */
  deleteRun(id: string): boolean {
    const row = this.history.row(id);
    if (!row || !this.history.delete(id)) {
      return false;
    }
    if (row.media_dir) {
      fs.rmSync(this.insideDataFolder(row.media_dir), { recursive: true, force: true });
    }
    return true;
  }

  connect(listener: ProjectsListener): void {
    this.listener = listener;
  }

  get folder(): DataFolder {
    return this.options.folder;
  }

  list(): Project[] {
    return this.projects.list();
  }

  create(name: string): Project {
    const project = this.projects.create(name);
    this.listener.projectsChanged();
    return project;
  }

  rename(id: string, name: string): Project {
    const project = this.projects.rename(id, name);
    this.listener.projectsChanged();
    return project;
  }

  /** Deletes the project's rows in one transaction, then its runs' files. */
  delete(id: string): { deleted: boolean; removedRuns: number } {
    const { project, mediaDirs } = this.projects.delete(id);
    for (const dir of mediaDirs) {
      fs.rmSync(this.insideDataFolder(dir), { recursive: true, force: true });
    }
    this.listener.projectsChanged();
    this.listener.historyChanged(project.id);
    return { deleted: true, removedRuns: project.runCount };
  }

  move(ids: readonly string[], projectId: string): { moved: number } {
    this.projects.require(projectId);
    const moved = this.history.move(ids, projectId);
    this.listener.projectsChanged();
    this.listener.historyChanged(ids[0]);
    return { moved };
  }

  star(id: string, starred: boolean): { starred: boolean } {
    if (!this.history.setStarred(id, starred)) {
      throw new StudioError('NOT_FOUND', `No run with id ${id}.`);
    }
    this.listener.historyChanged(id);
    return { starred };
  }

  /** The URL of a stored run's thumbnail (the middle frame's PNG), served from disk; null without one. */
  thumbnail(id: string, media: MediaUrls = protocolMediaUrls(this.options.folder.root)): { url: string | null } {
    return urlOf(this.media(id)?.thumbnail ?? null, media);
  }

  /** The URL of a stored run's GIF (played on hover), served from disk; null without one. */
  preview(id: string, media: MediaUrls = protocolMediaUrls(this.options.folder.root)): { url: string | null } {
    return urlOf(this.media(id)?.gif ?? null, media);
  }

  /** The URL of the image a stored run started from (kept in its folder); null when it has none or it is gone. */
  referenceImage(id: string, media: MediaUrls = protocolMediaUrls(this.options.folder.root)): { url: string | null } {
    return urlOf(this.media(id)?.reference ?? null, media);
  }

  /** The file that stands for a stored run on disk (its MP4, else GIF, record or folder); null without media. */
  mediaFile(id: string): string | null {
    const media = this.media(id);
    return media ? (media.mp4 ?? media.gif ?? media.record ?? media.frames[0] ?? null) : null;
  }

  /** A stored run's media folder (it may be gone from disk); null for an id the history does not hold. */
  runFolder(id: string): string | null {
    const row = this.history.row(id);
    return row ? this.insideDataFolder(row.media_dir ?? runMediaDirName(row.id)) : null;
  }

  /** A stored run's frames (URLs of the PNGs written, served from disk) and record, to play it whenever it was made. */
  clip(id: string, media: MediaUrls = protocolMediaUrls(this.options.folder.root)): StoredRunClip {
    const entry = this.history.get(id);
    if (!entry) {
      throw new StudioError('NOT_FOUND', `No run with id ${id}.`);
    }
    const frames = this.media(id)?.frames ?? [];
    const summary = this.history.summaryOf(id);
    if (frames.length === 0 || !summary) {
      throw new StudioError('NOT_FOUND', `The run “${entry.prompt}” has no frames in the data folder${entry.status === 'done' ? '' : ` (it ${entry.status === 'failed' ? 'failed' : 'was cancelled'})`}.`);
    }
    const { width, height, fps } = summary.settings;
    return { runId: id, entry, summary, width, height, fps, frameUrls: mediaUrlsOf(media, frames) ?? [] };
  }

  async startExport(id: string): Promise<{ exportId: string; fileName: string; sizeBytes: number }> {
    const project = this.projects.require(id);
    this.dropAbandoned();
    if (this.exports.size >= this.limits.maxOpenExports) {
      throw new StudioError('BUSY', `${this.exports.size} exports are waiting to be read (the limit is ${this.limits.maxOpenExports}): read one to the end first (one untouched for ${minutes(this.limits.idleMs)} is removed).`);
    }
    const exportId = randomUUID();
    const file = path.join(this.transfersDir(), `export-${exportId}.zip`);
    const { sizeBytes } = await exportProject(id, file, { folder: this.options.folder, db: this.options.db });
    this.exports.set(exportId, { file, sizeBytes, touchedAtMs: Date.now() });
    const safeName = project.name.replace(/[^\p{L}\p{N} ._-]+/gu, '-').trim() || 'project';
    return { exportId, fileName: `${safeName}.zip`, sizeBytes };
  }

  exportChunk(exportId: string, offset: number): { dataBase64: string; done: boolean } {
    const transfer = this.exports.get(exportId);
    if (!transfer) {
      throw new StudioError('NOT_FOUND', `No export ${exportId} is waiting to be read.`);
    }
    transfer.touchedAtMs = Date.now();
    const length = Math.max(0, Math.min(ARCHIVE_CHUNK_BYTES, transfer.sizeBytes - offset));
    const buffer = Buffer.alloc(length);
    const fd = fs.openSync(transfer.file, 'r');
    try {
      fs.readSync(fd, buffer, 0, length, offset);
    } finally {
      fs.closeSync(fd);
    }
    const done = offset + length >= transfer.sizeBytes;
    if (done) {
      fs.rmSync(transfer.file, { force: true });
      this.exports.delete(exportId);
    }
    return { dataBase64: buffer.toString('base64'), done };
  }

  /**
   * Opens an upload after checking what it announces: its size, the uploads already open (how many, how many bytes),
   * and the free space on the data folder's disk for the archive and its unpacked media.
   */
  beginImport(fileName: string, sizeBytes: number): { uploadId: string } {
    const { limits } = this;
    if (sizeBytes > limits.maxUploadBytes) {
      throw new StudioError('ARCHIVE_REFUSED', `${fileName} was refused: it is ${byteCount(sizeBytes)}, more than the ${byteCount(limits.maxUploadBytes)} accepted. Nothing was imported.`);
    }
    this.dropAbandoned();
    const open = [...this.uploads.values()];
    if (open.length >= limits.maxOpenUploads) {
      throw new StudioError('BUSY', `${open.length} uploads are open (the limit is ${limits.maxOpenUploads}): finish one first (one untouched for ${minutes(limits.idleMs)} is dropped).`);
    }
    const announced = open.reduce((sum, upload) => sum + upload.sizeBytes, 0);
    if (announced + sizeBytes > limits.maxOpenUploadBytes) {
      throw new StudioError(
        'BUSY',
        `${fileName} was refused: the open uploads already announce ${byteCount(announced)}, and with its ${byteCount(sizeBytes)} they would pass the ${byteCount(limits.maxOpenUploadBytes)} accepted at once. Finish one first.`,
      );
    }
    const dir = this.transfersDir();
    // The archive itself, then its media unpacked beside it (about as large: PNG and MP4 hardly compress).
    const needed = open.reduce((sum, upload) => sum + 2 * upload.sizeBytes - upload.receivedBytes, 0) + 2 * sizeBytes + limits.freeSpaceMarginBytes;
    const free = freeBytes(dir);
    if (free !== null && free < needed) {
      throw new StudioError('DISK_FULL', `${fileName} was refused: importing it needs about ${byteCount(needed)} free in the data folder (the archive, its media and a margin), and ${byteCount(free)} are free. Nothing was imported.`);
    }
    const uploadId = randomUUID();
    const file = path.join(dir, `import-${uploadId}.zip`);
    fs.writeFileSync(file, new Uint8Array(0));
    this.uploads.set(uploadId, { file, fileName: path.basename(fileName), sizeBytes, receivedBytes: 0, touchedAtMs: Date.now(), importing: false });
    return { uploadId };
  }

  importChunk(uploadId: string, offset: number, dataBase64: string): { receivedBytes: number } {
    const upload = this.requireUpload(uploadId);
    if (offset !== upload.receivedBytes) {
      throw new StudioError('INVALID_PARAMS', `Upload ${uploadId} expected the piece at byte ${upload.receivedBytes}, got ${offset}.`);
    }
    const bytes = Buffer.from(dataBase64, 'base64');
    if (upload.receivedBytes + bytes.length > upload.sizeBytes) {
      this.dropUpload(uploadId);
      throw new StudioError('INVALID_PARAMS', `Upload ${uploadId} sent more than the ${upload.sizeBytes} bytes it announced.`);
    }
    fs.appendFileSync(upload.file, bytes);
    upload.receivedBytes += bytes.length;
    upload.touchedAtMs = Date.now();
    return { receivedBytes: upload.receivedBytes };
  }

  async finishImport(uploadId: string): Promise<ImportOutcome> {
    const upload = this.requireUpload(uploadId);
    upload.importing = true;
    try {
      if (upload.receivedBytes !== upload.sizeBytes) {
        throw new StudioError('INVALID_PARAMS', `Upload ${uploadId} has ${upload.receivedBytes} of ${upload.sizeBytes} bytes.`);
      }
      // The archive is checked under the name the user chose, so a refusal names their file.
      const named = path.join(path.dirname(upload.file), `${uploadId}`, upload.fileName);
      fs.mkdirSync(path.dirname(named), { recursive: true });
      fs.renameSync(upload.file, named);
      upload.file = named;
      const outcome = await importProject(named, { folder: this.options.folder, db: this.options.db, isModelInstalled: this.options.isModelInstalled });
      this.listener.projectsChanged();
      this.listener.historyChanged(outcome.project.id);
      return outcome;
    } finally {
      this.dropUpload(uploadId);
    }
  }

  saveComparison(input: SaveComparisonInput): SavedComparison {
    if (input.projectId) {
      this.projects.require(input.projectId);
    }
    const saved = this.comparisons.save(input);
    this.listener.projectsChanged();
    return saved;
  }

  setComparisonRun(id: string, position: number, runId: string | null, startError: string | null): SavedComparison {
    if (!this.comparisons.setRun(id, position, runId, startError)) {
      throw new StudioError('NOT_FOUND', `No comparison ${id} with a variant ${position + 1}.`);
    }
    return this.comparisons.get(id) as SavedComparison;
  }

  getComparison(id: string): { comparison: SavedComparison; runs: ReturnType<HistoryRepository['list']>['entries'] } {
    const comparison = this.comparisons.get(id);
    if (!comparison) {
      throw new StudioError('NOT_FOUND', `No saved comparison ${id}.`);
    }
    const runs = comparison.variants.map((variant) => (variant.runId ? this.history.get(variant.runId) : undefined)).filter((entry) => entry !== undefined);
    return { comparison, runs };
  }

  private media(id: string) {
    const folder = this.runFolder(id);
    return folder === null ? undefined : listRunMedia(folder);
  }

  /** A folder the database names, refused if it would leave the data folder. */
  private insideDataFolder(relative: string): string {
    const resolved = path.resolve(this.options.folder.root, relative);
    if (!resolved.startsWith(this.options.folder.root + path.sep)) {
      throw new StudioError('INTERNAL', `A media folder outside the data folder was refused: ${relative}`);
    }
    return resolved;
  }

  private transfersDir(): string {
    const dir = path.join(this.options.folder.tmpDir, 'transfers');
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Removes uploads and exports untouched for longer than the idle limit (a closed tab, a crashed client). */
  private dropAbandoned(): void {
    const staleBefore = Date.now() - this.limits.idleMs;
    for (const [uploadId, upload] of this.uploads) {
      if (!upload.importing && upload.touchedAtMs < staleBefore) {
        this.dropUpload(uploadId);
      }
    }
    for (const [exportId, transfer] of this.exports) {
      if (transfer.touchedAtMs < staleBefore) {
        fs.rmSync(transfer.file, { force: true });
        this.exports.delete(exportId);
      }
    }
  }

  private requireUpload(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) {
      throw new StudioError('NOT_FOUND', `No upload ${uploadId} is open.`);
    }
    return upload;
  }

  private dropUpload(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (upload) {
      fs.rmSync(upload.file, { force: true });
      fs.rmSync(path.join(this.transfersDir(), uploadId), { recursive: true, force: true });
      this.uploads.delete(uploadId);
    }
  }
}

function minutes(durationMs: number): string {
  return durationMs >= 60_000 ? `${Math.round(durationMs / 60_000)} minutes` : `${Math.round(durationMs / 1000)} s`;
}

/** Bytes free for this process on the disk holding `dir`; null where the platform cannot say. */
function freeBytes(dir: string): number | null {
  try {
    const stats = fs.statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

function urlOf(file: string | null, media: MediaUrls): { url: string | null } {
  return { url: file ? (mediaUrlsOf(media, [file])?.[0] ?? null) : null };
}
