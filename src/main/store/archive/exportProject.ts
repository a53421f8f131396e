import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import type { GenerateRequest, StudioGenerateRequest } from '@shared/domain/generation';
import { PROJECT_ARCHIVE_FORMAT, PROJECT_ARCHIVE_SCHEMA_VERSION, type ArchiveRun, type ProjectArchive } from '@shared/domain/projectArchive';
import { StudioError } from '@shared/ipc/errors';
import { APP_NAME, APP_VERSION } from '@shared/version';
import { listRunMedia, runMediaDirName, type DataFolder } from '../dataFolder';
import type { StudioDatabase } from '../database';
import { ComparisonRepository } from '../comparisonRepository';
import { HistoryRepository, type Row } from '../historyRepository';
import { ProjectRepository } from '../projectRepository';

export interface ExportOptions {
  folder: DataFolder;
  db: StudioDatabase;
}

function iso(timeMs: number): string {
  return new Date(timeMs).toISOString();
}

/**
 * The request as the transport takes it (a model id): runs recorded before requests named models by id may still hold
 * the folder their model lived in on this machine, which an archive never carries.
 */
function portableRequest(requestJson: string, keyOf: ReadonlyMap<string, string>): StudioGenerateRequest {
  const { modelPath: _modelPath, ...rest } = JSON.parse(requestJson) as GenerateRequest & StudioGenerateRequest;
  // An extended run names its source by the archive's key (a source outside the project keeps its id).
  if (rest.reference?.kind === 'extend') {
    return { ...rest, reference: { ...rest.reference, runId: keyOf.get(rest.reference.runId) ?? rest.reference.runId } };
  }
  return rest;
}

function portableSummary(summaryJson: string | null): ArchiveRun['summary'] {
  if (!summaryJson) {
    return null;
  }
  const summary = JSON.parse(summaryJson) as NonNullable<ArchiveRun['summary']> & { settings: { modelPath?: string } };
  const { modelPath: _modelPath, ...settings } = summary.settings;
  return { ...summary, settings, outputs: [] };
}

/** A run's media folder: the one recorded, else where the studio has always written it (outputs/<id>). */
function mediaDirOf(row: Row, folder: DataFolder): string | null {
  const dir = path.join(folder.root, row.media_dir ?? runMediaDirName(row.id));
  return fs.existsSync(dir) ? dir : null;
}

/**
 * Writes a project as one zip: project.json (runs, comparisons, settings, seeds, metrics, lineage, model ids and
 * hashes) and each run's media (thumbnail, GIF, MP4 where one was written, frames as PNG, the reproducibility record, the image
 * an image-to-video run started from). Files are streamed from
 * the data folder into the zip, and the zip is written beside the target and renamed into place when complete.
 */
export async function exportProject(projectId: string, outFile: string, options: ExportOptions): Promise<{ sizeBytes: number; archive: ProjectArchive }> {
  const project = new ProjectRepository(options.db).require(projectId);
  const history = new HistoryRepository(options.db);
  const rows = history.rowsOfProject(projectId);
  const keyOf = new Map(rows.map((row, index) => [row.id, `r${index + 1}`]));
  const zip = new yazl.ZipFile();
  const mtime = new Date(project.createdAtMs);
  const runs: ArchiveRun[] = rows.map((row) => {
    const key = keyOf.get(row.id) as string;
    const dir = mediaDirOf(row, options.folder);
    const files = dir ? listRunMedia(dir) : { thumbnail: null, gif: null, mp4: null, record: null, frames: [], reference: null };
    const add = (file: string | null, name: string): string | null => {
      if (!file) {
        return null;
      }
      zip.addFile(file, `runs/${key}/${name}`, { mtime, compress: !name.endsWith('.mp4') });
      return `runs/${key}/${name}`;
    };
    return {
      key,
      createdAt: iso(row.created_at_ms),
      startedAt: row.started_at_ms === null ? null : iso(row.started_at_ms),
      finishedAt: row.finished_at_ms === null ? null : iso(row.finished_at_ms),
      // rowsOfProject holds ended runs only (none queued or running).
      status: row.status as ArchiveRun['status'],
      prompt: row.prompt,
      seed: row.seed,
      starred: row.starred === 1,
      derivedFrom: row.derived_from ? (keyOf.get(row.derived_from) ?? null) : null,
      model: { id: row.model_id, version: row.model_version, manifestHash: row.manifest_hash },
      request: portableRequest(row.request_json, keyOf),
      summary: portableSummary(row.summary_json),
      error: row.error_json ? (JSON.parse(row.error_json) as ArchiveRun['error']) : null,
      media: {
        thumbnail: add(files.thumbnail, 'thumb.png'),
        gif: add(files.gif, 'clip.gif'),
        mp4: add(files.mp4, 'clip.mp4'),
        frames: files.frames.map((file, index) => add(file, `frames/frame-${String(index).padStart(3, '0')}.png`) as string),
        record: add(files.record, 'clip.json'),
        ...(files.reference ? { reference: add(files.reference, path.basename(files.reference)) } : {}),
      },
    };
  });
  const comparisons = new ComparisonRepository(options.db)
    .list(projectId)
    .reverse()
    .map((comparison, index) => ({
      key: `c${index + 1}`,
      createdAt: iso(comparison.createdAtMs),
      prompt: comparison.prompt,
      seed: comparison.seed,
      variants: comparison.variants.map((variant) => ({ variant: variant.variant, run: variant.runId ? (keyOf.get(variant.runId) ?? null) : null, startError: variant.startError })),
    }));
  const archive: ProjectArchive = {
    format: PROJECT_ARCHIVE_FORMAT,
    schemaVersion: PROJECT_ARCHIVE_SCHEMA_VERSION,
    app: { name: APP_NAME, version: APP_VERSION },
    exportedAt: new Date().toISOString(),
    project: { name: project.name, createdAt: iso(project.createdAtMs) },
    runs,
    comparisons,
  };
  zip.addBuffer(Buffer.from(`${JSON.stringify(archive, null, 2)}\n`), 'project.json', { mtime });
  zip.end();
  const target = path.resolve(outFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${randomUUID().slice(0, 8)}.partial`;
  try {
    await new Promise<void>((resolve, reject) => {
      const sink = fs.createWriteStream(partial);
      zip.outputStream.once('error', reject);
      sink.once('error', reject);
      sink.once('close', () => resolve());
      zip.outputStream.pipe(sink);
    });
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw new StudioError('INTERNAL', `The project “${project.name}” could not be exported to ${target}: ${(error as Error).message}`);
  }
  return { sizeBytes: fs.statSync(target).size, archive };
}
