import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GenerationSummary } from '@shared/domain/generation';
import {
  entryNameProblem,
  PROJECT_ARCHIVE_LIMITS,
  PROJECT_ARCHIVE_SCHEMA_VERSION,
  projectArchiveSchema,
  type ArchiveRun,
  type ProjectArchive,
  type ProjectArchiveLimits,
} from '@shared/domain/projectArchive';
import type { ImportOutcome } from '@shared/domain/projects';
import { StudioError } from '@shared/ipc/errors';
import { describeIssues } from '@shared/util/describeIssues';
import { parseReproducibilityRecord } from '@shared/domain/reproducibilityRecord';
import { RUN_MEDIA, runMediaDirName, type DataFolder } from '../dataFolder';
import type { StudioDatabase } from '../database';
import { ComparisonRepository } from '../comparisonRepository';
import { HistoryRepository, type Row } from '../historyRepository';
import { ProjectRepository } from '../projectRepository';
import { listEntries, openZip, readEntry, streamEntry, type ZipEntryInfo } from './zipReader';

export interface ImportOptions {
  folder: DataFolder;
  db: StudioDatabase;
  /** Whether a model id is installed here (runs of other models are imported and marked). */
  isModelInstalled?: (modelId: string) => boolean;
  /** The stated limits; tests lower them. */
  limits?: Partial<ProjectArchiveLimits>;
}

/** Exact sizes in refusals ("268,435,456 bytes"): a limit is a number the user can check against the file. */
function byteCount(sizeBytes: number): string {
  return `${sizeBytes.toLocaleString('en-US')} bytes`;
}

function refuse(archiveFile: string, problem: string): StudioError {
  return new StudioError('ARCHIVE_REFUSED', `${path.basename(archiveFile)} was refused: ${problem}. Nothing was imported.`);
}

type MediaKind = 'png' | 'jpg' | 'gif' | 'mp4' | 'json';
const MEDIA_KIND_NAMES: Record<MediaKind, string> = { png: 'a PNG image', jpg: 'a JPEG image', gif: 'a GIF image', mp4: 'an MP4 video', json: 'a reproducibility record' };
type MediaTarget = { entryName: string; target: string; role: string; kind: MediaKind };

/** The media a run names, each with where it goes inside the run's new folder and the kind of file it must be. */
function mediaTargets(run: ArchiveRun): MediaTarget[] {
  const targets: MediaTarget[] = [];
  if (run.media.thumbnail) {
    targets.push({ entryName: run.media.thumbnail, target: RUN_MEDIA.thumbnail, role: 'its thumbnail', kind: 'png' });
  }
  if (run.media.gif) {
    targets.push({ entryName: run.media.gif, target: RUN_MEDIA.gif, role: 'its GIF', kind: 'gif' });
  }
  if (run.media.mp4) {
    targets.push({ entryName: run.media.mp4, target: RUN_MEDIA.mp4, role: 'its MP4', kind: 'mp4' });
  }
  if (run.media.record) {
    targets.push({ entryName: run.media.record, target: RUN_MEDIA.record, role: 'its reproducibility record', kind: 'json' });
  }
  const reference = run.media.reference;
  if (reference) {
    const kind = reference.toLowerCase().endsWith('.jpg') ? 'jpg' : 'png';
    targets.push({ entryName: reference, target: `${RUN_MEDIA.referenceBase}.${kind}`, role: 'the image it started from', kind });
  }
  run.media.frames.forEach((entryName, index) =>
    targets.push({ entryName, target: `${RUN_MEDIA.framesDir}/frame-${String(index).padStart(3, '0')}.png`, role: `frame ${index}`, kind: 'png' }),
  );
  return targets;
}

/**
 * Why a media name cannot be the run's `role`, or null: names lie in the run's own folder (runs/<key>/, as the studio
 * exports them; never project.json, never another run's files), end in the kind's extension, and are named once.
 */
function mediaNameProblem(run: ArchiveRun, media: MediaTarget, seen: Set<string>): string | null {
  const folder = `runs/${run.key}/`;
  if (!media.entryName.startsWith(folder) || media.entryName.length === folder.length) {
    return `which is not in the run's own folder ${folder}`;
  }
  if (!media.entryName.toLowerCase().endsWith(`.${media.kind}`)) {
    return `which is not a .${media.kind} file`;
  }
  if (seen.has(media.entryName)) {
    return 'a second time';
  }
  seen.add(media.entryName);
  return null;
}

/** The first bytes each image or video kind starts with: PNG's signature, GIF's header, an MP4's "ftyp" box. */
function hasMediaSignature(head: Buffer, kind: Exclude<MediaKind, 'json'>): boolean {
  switch (kind) {
    case 'png':
      return head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'jpg':
      return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    case 'gif':
      return ['GIF87a', 'GIF89a'].includes(head.subarray(0, 6).toString('latin1'));
    case 'mp4':
      return head.subarray(4, 8).toString('latin1') === 'ftyp';
  }
}

/** Why a staged record file does not parse with the one record schema (" (…)"), or null. */
function recordProblem(file: string): string | null {
  try {
    parseReproducibilityRecord(fs.readFileSync(file, 'utf8'), 'it');
    return null;
  } catch (error) {
    return ` (${(error as Error).message})`;
  }
}

function readHead(file: string, bytes: number): Buffer {
  const head = Buffer.alloc(bytes);
  const fd = fs.openSync(file, 'r');
  try {
    return head.subarray(0, fs.readSync(fd, head, 0, bytes, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Imports a project archive as a new project: new ids, lineage and comparisons kept, media restored into the data
 * folder. The archive is checked whole before anything is kept: media are staged in the data folder's tmp/, then the
 * rows are written and the staged folders moved into outputs/ in one transaction. A refused archive leaves nothing.
 */
export async function importProject(archiveFile: string, options: ImportOptions): Promise<ImportOutcome> {
  const limits: ProjectArchiveLimits = { ...PROJECT_ARCHIVE_LIMITS, ...options.limits };
  let zip;
  try {
    zip = await openZip(archiveFile);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : `it is not a zip archive (${(error as Error).message})`;
    throw refuse(archiveFile, reason);
  }
  const stagingDir = path.join(options.folder.tmpDir, `import-${randomUUID()}`);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw refuse(archiveFile, `it has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
    }
    const entries = await listEntries(zip, limits.maxEntries);
    if (entries.length > limits.maxEntries) {
      throw refuse(archiveFile, `it has more than ${limits.maxEntries} entries`);
    }
    const byName = checkEntries(archiveFile, entries, limits);
    const archive = await readProjectJson(archiveFile, zip, byName, limits);
    const plans = archive.runs.map((run) => ({ run, id: randomUUID(), media: mediaTargets(run) }));
    for (const { run, media } of plans) {
      const seen = new Set<string>();
      for (const target of media) {
        const { entryName } = target;
        const problem = entryNameProblem(entryName);
        if (problem) {
          throw refuse(archiveFile, `project.json names media "${entryName}" (run ${run.key}), which ${problem}`);
        }
        const misplaced = mediaNameProblem(run, target, seen);
        if (misplaced) {
          throw refuse(archiveFile, `project.json names "${entryName}" as ${target.role} (run ${run.key}), ${misplaced}`);
        }
        if (!byName.get(entryName) || byName.get(entryName)?.isDirectory) {
          throw refuse(archiveFile, `project.json names media "${entryName}" (run ${run.key}), which the archive does not hold`);
        }
      }
    }
    // Stage every file (streamed, its real size counted against the limits) before touching the database.
    let totalBytes = 0;
    for (const { run, id, media } of plans) {
      for (const { entryName, target, role, kind } of media) {
        const file = path.join(stagingDir, id, target);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const tooLarge = (): StudioError => refuse(archiveFile, `entry "${entryName}" (run ${run.key}) unpacks to more than ${byteCount(limits.maxEntryBytes)}, the limit for one entry`);
        const written = await streamEntry(zip, (byName.get(entryName) as ZipEntryInfo).entry, fs.createWriteStream(file), Math.min(limits.maxEntryBytes, limits.maxTotalBytes - totalBytes), () =>
          totalBytes + limits.maxEntryBytes > limits.maxTotalBytes ? refuse(archiveFile, `it unpacks to more than ${byteCount(limits.maxTotalBytes)} in all`) : tooLarge(),
        ).catch((error: unknown) => {
          // yauzl stops an entry whose data disagrees with its header (size, CRC): name the entry.
          throw error instanceof StudioError ? error : refuse(archiveFile, `entry "${entryName}" (run ${run.key}) is damaged (${(error as Error).message})`);
        });
        totalBytes += written;
        const problem = kind === 'json' ? recordProblem(file) : hasMediaSignature(readHead(file, 12), kind) ? null : '';
        if (problem !== null) {
          throw refuse(archiveFile, `entry "${entryName}", ${role} of run ${run.key}, is not ${MEDIA_KIND_NAMES[kind]}${problem}`);
        }
      }
    }
    try {
      return commit(archive, plans, stagingDir, options);
    } catch (error) {
      // The archive was fine; writing it here was not (disk, database). The transaction undid what it had done.
      throw new StudioError('INTERNAL', `${path.basename(archiveFile)} could not be imported: ${(error as Error).message}. Nothing was imported.`);
    }
  } catch (error) {
    if (error instanceof StudioError) {
      throw error;
    }
    throw refuse(archiveFile, `it could not be read (${(error as Error).message})`);
  } finally {
    zip.close();
    fs.rmSync(stagingDir, { recursive: true, force: true });
  }
}

/** Every entry is checked (names, links, encryption, declared sizes); the file entries by name. */
function checkEntries(archiveFile: string, entries: ZipEntryInfo[], limits: ProjectArchiveLimits): Map<string, ZipEntryInfo> {
  const byName = new Map<string, ZipEntryInfo>();
  let declaredTotal = 0;
  for (const entry of entries) {
    const problem = entryNameProblem(entry.name);
    if (problem) {
      throw refuse(archiveFile, `entry "${entry.name}" ${problem}`);
    }
    if (entry.isSymlink) {
      throw refuse(archiveFile, `entry "${entry.name}" is a symbolic link`);
    }
    if (entry.isEncrypted) {
      throw refuse(archiveFile, `entry "${entry.name}" is encrypted`);
    }
    if (entry.uncompressedSize > limits.maxEntryBytes) {
      throw refuse(archiveFile, `entry "${entry.name}" unpacks to ${byteCount(entry.uncompressedSize)}, more than the limit of ${byteCount(limits.maxEntryBytes)} for one entry`);
    }
    declaredTotal += entry.uncompressedSize;
    if (declaredTotal > limits.maxTotalBytes) {
      throw refuse(archiveFile, `it unpacks to more than ${byteCount(limits.maxTotalBytes)} in all`);
    }
    if (byName.has(entry.name)) {
      throw refuse(archiveFile, `entry "${entry.name}" appears twice`);
    }
    byName.set(entry.name, entry);
  }
  return byName;
}

async function readProjectJson(archiveFile: string, zip: Awaited<ReturnType<typeof openZip>>, byName: Map<string, ZipEntryInfo>, limits: ProjectArchiveLimits): Promise<ProjectArchive> {
  const entry = byName.get('project.json');
  if (!entry) {
    throw refuse(archiveFile, 'it has no project.json at its root (is it a project exported by the studio?)');
  }
  const bytes = await readEntry(zip, entry.entry, limits.maxProjectJsonBytes, () => refuse(archiveFile, `project.json is larger than ${byteCount(limits.maxProjectJsonBytes)}`)).catch(
    (error: unknown) => {
      throw error instanceof StudioError ? error : refuse(archiveFile, `project.json is damaged (${(error as Error).message})`);
    },
  );
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    // V8's message quotes the text; the position is enough to find the fault.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw refuse(archiveFile, `project.json is not valid JSON${position ? ` (at character ${position})` : ''}`);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > PROJECT_ARCHIVE_SCHEMA_VERSION) {
    throw refuse(archiveFile, `project.json has schemaVersion ${version}, newer than this studio reads (${PROJECT_ARCHIVE_SCHEMA_VERSION}); update the studio to import it`);
  }
  const parsed = projectArchiveSchema.safeParse(json);
  if (!parsed.success) {
    throw refuse(archiveFile, `project.json is malformed (${describeIssues(parsed.error.issues)})`);
  }
  return parsed.data;
}

type Plan = { run: ArchiveRun; id: string; media: Array<{ entryName: string; target: string }> };

function commit(archive: ProjectArchive, plans: Plan[], stagingDir: string, options: ImportOptions): ImportOutcome {
  const { db, folder } = options;
  const projects = new ProjectRepository(db);
  const history = new HistoryRepository(db);
  const comparisons = new ComparisonRepository(db);
  const idOfKey = new Map(plans.map((plan) => [plan.run.key, plan.id]));
  const moved: string[] = [];
  fs.mkdirSync(folder.outputsDir, { recursive: true });
  try {
    const project = db.transaction(() => {
      const created = projects.create(projects.freeName(archive.project.name), { createdAtMs: Date.parse(archive.project.createdAt) });
      for (const plan of plans) {
        const hasMedia = plan.media.length > 0;
        const finalDir = path.join(folder.root, runMediaDirName(plan.id));
        history.insertRow(toRow(plan, created.id, idOfKey, hasMedia ? finalDir : null));
      }
      archive.comparisons.forEach((comparison) =>
        comparisons.save({
          projectId: created.id,
          createdAtMs: Date.parse(comparison.createdAt),
          prompt: comparison.prompt,
          seed: comparison.seed,
          variants: comparison.variants.map((variant) => ({ variant: variant.variant, runId: variant.run ? (idOfKey.get(variant.run) ?? null) : null, startError: variant.startError })),
        }),
      );
      // The folders move in last: if one cannot, the transaction (and the folders already moved) are undone.
      for (const plan of plans) {
        if (plan.media.length > 0) {
          fs.renameSync(path.join(stagingDir, plan.id), path.join(folder.root, runMediaDirName(plan.id)));
          moved.push(plan.id);
        }
      }
      return created;
    })();
    const installed = options.isModelInstalled;
    const missingModelIds = [...new Set(archive.runs.map((run) => run.model.id).filter((id): id is string => id !== null && installed !== undefined && !installed(id)))];
    return { project: projects.require(project.id), runCount: plans.length, comparisonCount: archive.comparisons.length, missingModelIds };
  } catch (error) {
    for (const id of moved) {
      fs.rmSync(path.join(folder.root, runMediaDirName(id)), { recursive: true, force: true });
    }
    throw error;
  }
}

function toRow(plan: Plan, projectId: string, idOfKey: Map<string, string>, finalDir: string | null): Row {
  const { run, id } = plan;
  const summary = run.summary ? ({ ...run.summary, outputs: finalDir ? restoredOutputs(plan, finalDir) : [] } as unknown as GenerationSummary) : null;
  return {
    id,
    created_at_ms: Date.parse(run.createdAt),
    started_at_ms: run.startedAt ? Date.parse(run.startedAt) : null,
    finished_at_ms: run.finishedAt ? Date.parse(run.finishedAt) : null,
    status: run.status,
    prompt: run.prompt,
    seed: run.seed,
    model_id: run.model.id,
    steps: summary?.settings.steps ?? run.request.steps ?? null,
    steps_run: summary?.stepsRun ?? null,
    leap_step: summary?.leapStep ?? null,
    merged_steps: summary?.mergedSteps ?? null,
    total_ms: summary?.timingsMs.total ?? null,
    peak_rss_bytes: summary?.peakRssBytes ?? null,
    request_json: JSON.stringify(restoredRequest(run.request, idOfKey)),
    summary_json: summary ? JSON.stringify(summary) : null,
    error_json: run.error ? JSON.stringify(run.error) : null,
    outputs_json: JSON.stringify(summary?.outputs ?? []),
    project_id: projectId,
    derived_from: run.derivedFrom ? (idOfKey.get(run.derivedFrom) ?? null) : null,
    starred: run.starred ? 1 : 0,
    model_version: run.model.version,
    manifest_hash: run.model.manifestHash,
    memory_budget_bytes: summary?.memoryBudgetBytes ?? null,
    media_dir: finalDir ? runMediaDirName(id) : null,
  };
}

/** The request as this studio keeps it: an extended run names its source by its new id. */
function restoredRequest(request: ArchiveRun['request'], idOfKey: ReadonlyMap<string, string>): ArchiveRun['request'] {
  const reference = request.reference;
  return reference?.kind === 'extend' ? { ...request, reference: { ...reference, runId: idOfKey.get(reference.runId) ?? reference.runId } } : request;
}

/** The outputs a restored run lists, as the engine would have: the GIF, the frames folder, the MP4, the record. */
function restoredOutputs(plan: Plan, finalDir: string): string[] {
  const outputs: string[] = [];
  if (plan.run.media.gif) {
    outputs.push(path.join(finalDir, RUN_MEDIA.gif));
  }
  if (plan.run.media.frames.length > 0) {
    outputs.push(path.join(finalDir, RUN_MEDIA.framesDir));
  }
  if (plan.run.media.mp4) {
    outputs.push(path.join(finalDir, RUN_MEDIA.mp4));
  }
  if (plan.run.media.record) {
    outputs.push(path.join(finalDir, RUN_MEDIA.record));
  }
  return outputs;
}
