import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { describe, expect, it, vi } from 'vitest';
import { exportProject } from '../../src/main/store/archive/exportProject';
import { importProject } from '../../src/main/store/archive/importProject';
import { ComparisonRepository } from '../../src/main/store/comparisonRepository';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { ProjectRepository } from '../../src/main/store/projectRepository';
import { encodePng } from '../../src/main/engine/output/pngWriter';
import { historyQuerySchema } from '../../src/shared/domain/history';
import { PROJECT_ARCHIVE_FORMAT, type ProjectArchive } from '../../src/shared/domain/projectArchive';
import { parseReproducibilityRecord } from '../../src/shared/domain/reproducibilityRecord';
import { flatFrames, listFiles, renameEntryBytes, seedRun, tempDataFolder, zipBuffer, type ZipSource } from './archiveSupport';

function readZipEntry(file: string, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) {
        return reject(error);
      }
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) {
          return zip.readEntry();
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) {
            return reject(streamError);
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks));
          });
        });
      });
      zip.on('end', () => reject(new Error(`${name} not in ${file}`)));
      zip.readEntry();
    });
  });
}

/** A project with three runs (one derived from another, one starred) and a comparison of two of them. */
function seededProject() {
  const { folder, db } = tempDataFolder();
  const projects = new ProjectRepository(db);
  const history = new HistoryRepository(db);
  const project = projects.create('Circles');
  seedRun(folder, history, { id: 'run-a', createdAtMs: Date.UTC(2026, 0, 1), prompt: 'a red circle moving left', projectId: project.id, shade: 10 });
  seedRun(folder, history, { id: 'run-b', createdAtMs: Date.UTC(2026, 0, 2), prompt: 'a red circle moving right', projectId: project.id, derivedFrom: 'run-a', shade: 60 });
  seedRun(folder, history, { id: 'run-c', createdAtMs: Date.UTC(2026, 0, 3), prompt: 'a blue square', projectId: project.id, shade: 120 });
  history.setStarred('run-b', true);
  // A run recorded before requests named models by id: its request holds the folder its model lived in.
  db.prepare(`UPDATE generations SET request_json = json_set(request_json, '$.modelPath', '/somewhere/models/shapes-tiny') WHERE id = 'run-c'`).run();
  new ComparisonRepository(db).save({
    projectId: project.id,
    createdAtMs: Date.UTC(2026, 0, 4),
    prompt: 'a red circle moving left',
    seed: 7,
    variants: [
      { variant: { steps: 30, lpl: { kind: 'off' } }, runId: 'run-a', startError: null },
      { variant: { steps: 30, lpl: { kind: 'fixed', leapStep: 15 } }, runId: 'run-b', startError: null },
    ],
  });
  return { folder, db, projects, history, project };
}

const withoutExportDate = (archive: ProjectArchive) => ({ ...archive, exportedAt: '(date)' });

describe('project export and import (real zip, real SQLite, files in the data folder)', () => {
  it('export → delete → import brings the project back with new ids, lineage, stars, comparison and media; a second export gives the same project.json', async () => {
    const { folder, db, projects, history, project } = seededProject();
    const zipFile = path.join(folder.root, '..', 'circles.zip');
    const first = await exportProject(project.id, zipFile, { folder, db });
    expect(first.sizeBytes).toBeGreaterThan(0);
    const json = JSON.parse((await readZipEntry(zipFile, 'project.json')).toString('utf8')) as ProjectArchive;
    expect(json).toMatchObject({ format: PROJECT_ARCHIVE_FORMAT, schemaVersion: 1, project: { name: 'Circles' } });
    expect(json.runs.map((run) => [run.key, run.derivedFrom, run.starred, run.media.frames.length])).toEqual([
      ['r1', null, false, 3],
      ['r2', 'r1', true, 3],
      ['r3', null, false, 3],
    ]);
    expect(json.comparisons).toEqual([{ key: 'c1', createdAt: '2026-01-04T00:00:00.000Z', prompt: 'a red circle moving left', seed: 7, variants: [
      { variant: { steps: 30, lpl: { kind: 'off' } }, run: 'r1', startError: null },
      { variant: { steps: 30, lpl: { kind: 'fixed', leapStep: 15 } }, run: 'r2', startError: null },
    ] }]);
    // No absolute path of this machine travels in project.json.
    const text = JSON.stringify(json);
    expect(text).not.toContain(folder.root);
    expect(text).not.toContain('/somewhere/models');
    expect(await readZipEntry(zipFile, 'runs/r2/frames/frame-001.png')).toEqual(fs.readFileSync(path.join(folder.outputsDir, 'run-b', 'clip-frames', 'frame-001.png')));
    // The run's reproducibility record travels as written, and parses with the one record schema.
    const recordBytes = await readZipEntry(zipFile, 'runs/r2/clip.json');
    expect(recordBytes).toEqual(fs.readFileSync(path.join(folder.outputsDir, 'run-b', 'clip.json')));
    expect(parseReproducibilityRecord(recordBytes.toString('utf8'), 'clip.json')).toMatchObject({ prompt: 'a red circle moving right', seed: 7, run: { leapStep: 15 } });

    const deleted = projects.delete(project.id);
    for (const dir of deleted.mediaDirs) {
      fs.rmSync(path.join(folder.root, dir), { recursive: true });
    }
    const imported = await importProject(zipFile, { folder, db, isModelInstalled: () => true });
    expect(imported).toMatchObject({ project: { name: 'Circles', runCount: 3, comparisonCount: 1 }, runCount: 3, comparisonCount: 1, missingModelIds: [] });
    const runs = history.list(historyQuerySchema.parse({ projectId: imported.project.id, sortBy: 'createdAt', descending: false })).entries;
    expect(runs.map((run) => run.prompt)).toEqual(['a red circle moving left', 'a red circle moving right', 'a blue square']);
    expect(runs.map((run) => run.id)).not.toContain('run-a');
    expect(runs[1]).toMatchObject({ derivedFrom: runs[0].id, starred: true, hasMedia: true, manifestHash: 'abc123', seed: 7, leapStep: 15 });
    const restoredFrame = path.join(folder.outputsDir, runs[1].id, 'clip-frames', 'frame-001.png');
    expect(fs.readFileSync(restoredFrame)).toEqual(await readZipEntry(zipFile, 'runs/r2/frames/frame-001.png'));
    expect(fs.readFileSync(path.join(folder.outputsDir, runs[1].id, 'clip.json'))).toEqual(recordBytes);
    const [comparison] = new ComparisonRepository(db).list(imported.project.id);
    expect(comparison.variants.map((variant) => variant.runId)).toEqual([runs[0].id, runs[1].id]);

    const secondZip = path.join(folder.root, '..', 'circles-again.zip');
    const second = await exportProject(imported.project.id, secondZip, { folder, db });
    expect(withoutExportDate(second.archive)).toEqual(withoutExportDate(first.archive));
    expect(listFiles(folder.tmpDir)).toEqual([]);
  });

  it('imports under a free name when the project exists, and names models that are not installed', async () => {
    const { folder, db, project } = seededProject();
    const zipFile = path.join(folder.root, '..', 'twice.zip');
    await exportProject(project.id, zipFile, { folder, db });
    const imported = await importProject(zipFile, { folder, db, isModelInstalled: (id) => id !== 'shapes-tiny' });
    expect(imported.project.name).toBe('Circles (2)');
    expect(imported.missingModelIds).toEqual(['shapes-tiny']);
    const runs = new HistoryRepository(db, { isModelInstalled: () => false }).list(historyQuerySchema.parse({ projectId: imported.project.id })).entries;
    expect(runs.every((run) => !run.modelInstalled)).toBe(true);
  });
});

/** A small valid archive: one run with a thumbnail and one frame. */
function validArchive(): ProjectArchive {
  return {
    format: PROJECT_ARCHIVE_FORMAT,
    schemaVersion: 1,
    app: { name: 'On-device Sora Studio', version: '0.1.0' },
    exportedAt: '2026-01-05T00:00:00.000Z',
    project: { name: 'Hostile', createdAt: '2026-01-01T00:00:00.000Z' },
    runs: [
      {
        key: 'r1',
        createdAt: '2026-01-01T00:00:00.000Z',
        startedAt: null,
        finishedAt: null,
        status: 'done',
        prompt: 'a red circle',
        seed: 1,
        starred: false,
        derivedFrom: null,
        model: { id: 'shapes-tiny', version: '1.0.0', manifestHash: null },
        request: { prompt: 'a red circle' },
        summary: null,
        error: null,
        media: { thumbnail: 'runs/r1/thumb.png', gif: null, mp4: null, frames: ['runs/r1/frames/frame-000.png'] },
      },
    ],
    comparisons: [],
  };
}

const png = encodePng(flatFrames(1, 50)[0], 4, 4);

function entriesOf(archive: unknown, extra: ZipSource[] = []): ZipSource[] {
  return [
    { name: 'project.json', data: Buffer.from(typeof archive === 'string' ? archive : JSON.stringify(archive)) },
    { name: 'runs/r1/thumb.png', data: png },
    { name: 'runs/r1/frames/frame-000.png', data: png },
    ...extra,
  ];
}

interface BadCase {
  name: string;
  build: () => Promise<Buffer>;
  message: RegExp;
  limits?: Record<string, number>;
}

/** The archive with the first occurrence of `from` in its bytes replaced by `to` (same length): a stored entry edited in place. */
async function edited(entries: ZipSource[], from: Buffer, to: Buffer): Promise<Buffer> {
  const bytes = Buffer.from(await zipBuffer(entries));
  const at = bytes.indexOf(from);
  expect(at).toBeGreaterThan(0);
  to.copy(bytes, at);
  return bytes;
}

const secondRun = (changes: Record<string, unknown>) => ({ ...validArchive().runs[0], key: 'r2', media: { thumbnail: null, gif: null, mp4: null, frames: [] }, ...changes });

const BAD_ARCHIVES: BadCase[] = [
  { name: 'not a zip', build: async () => Buffer.from('this is a text file with a .zip name'), message: /not a zip archive/ },
  { name: 'no project.json', build: () => zipBuffer(entriesOf(validArchive()).slice(1)), message: /no project\.json/ },
  { name: 'project.json not JSON', build: () => zipBuffer(entriesOf('{"format": "on-device')), message: /project\.json is not valid JSON/ },
  { name: 'project.json of the wrong shape', build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], seed: 'seven' }] })), message: /project\.json is malformed \(runs\.0\.seed/ },
  { name: 'lineage to a run not in the archive', build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], derivedFrom: 'r9' }] })), message: /names run r9, which the archive does not hold/ },
  { name: 'a newer schemaVersion', build: () => zipBuffer(entriesOf({ ...validArchive(), schemaVersion: 2 })), message: /schemaVersion 2, newer than this studio reads \(1\)/ },
  {
    name: 'an entry with ..',
    build: async () => renameEntryBytes(await zipBuffer(entriesOf(validArchive(), [{ name: 'xx/evil.txt', data: Buffer.from('escape') }])), 'xx/evil.txt', '../evil.txt'),
    message: /entry "\.\.\/evil\.txt" climbs out of the archive/,
  },
  {
    name: 'an absolute entry',
    build: async () => renameEntryBytes(await zipBuffer(entriesOf(validArchive(), [{ name: 'tmp/evil.txt', data: Buffer.from('escape') }])), 'tmp/evil.txt', '/mp/evil.txt'),
    message: /entry "\/mp\/evil\.txt" is an absolute path/,
  },
  {
    name: 'a drive letter',
    build: async () => renameEntryBytes(await zipBuffer(entriesOf(validArchive(), [{ name: 'CC/evil.txt', data: Buffer.from('escape') }])), 'CC/evil.txt', 'C:/evil.txt'),
    message: /entry "C:\/evil\.txt" starts with a drive letter/,
  },
  {
    name: 'a symbolic link',
    build: () => zipBuffer(entriesOf(validArchive(), [{ name: 'runs/r1/link.png', data: Buffer.from('/etc/passwd'), mode: 0o120777 }])),
    message: /entry "runs\/r1\/link\.png" is a symbolic link/,
  },
  {
    name: 'more than 10,000 entries',
    build: () => zipBuffer(entriesOf(validArchive(), Array.from({ length: 10_000 }, (_, index) => ({ name: `pad/${index}.txt`, data: Buffer.alloc(0), compress: false })))),
    message: /10003 entries, more than the limit of 10000/,
  },
  {
    name: 'an entry beyond the size limit (zip bomb)',
    build: () => zipBuffer(entriesOf(validArchive(), [{ name: 'bomb.bin', data: Buffer.alloc(5_000_000) }])),
    limits: { maxEntryBytes: 1_000_000 },
    message: /entry "bomb\.bin" unpacks to 5,000,000 bytes, more than the limit of 1,000,000 bytes/,
  },
  {
    name: 'a total beyond the size limit',
    build: () => zipBuffer(entriesOf(validArchive(), [600_000, 600_000].map((size, index) => ({ name: `part-${index}.bin`, data: Buffer.alloc(size) })))),
    limits: { maxEntryBytes: 1_000_000, maxTotalBytes: 1_000_000 },
    message: /unpacks to more than 1,000,000 bytes in all/,
  },
  {
    name: 'a media entry with a bad CRC',
    build: () => edited(entriesOf(validArchive()).map((entry) => (entry.name === 'runs/r1/thumb.png' ? { ...entry, compress: false } : entry)), png.subarray(16, 24), Buffer.alloc(8, 0xee)),
    message: /entry "runs\/r1\/thumb\.png" \(run r1\) is damaged \(its CRC-32 is 0x[0-9a-f]{8}, the archive states 0x[0-9a-f]{8}\)/,
  },
  {
    name: 'project.json with a bad CRC (still valid JSON)',
    build: () => edited([{ ...entriesOf(validArchive())[0], compress: false }, ...entriesOf(validArchive()).slice(1)], Buffer.from('a red circle'), Buffer.from('a red circlf')),
    message: /project\.json is damaged \(its CRC-32 is 0x[0-9a-f]{8}, the archive states 0x[0-9a-f]{8}\)/,
  },
  {
    name: 'media naming project.json itself',
    build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], media: { ...validArchive().runs[0].media, thumbnail: 'project.json' } }] })),
    message: /names "project\.json" as its thumbnail \(run r1\), which is not in the run's own folder runs\/r1\//,
  },
  {
    name: "media in another run's folder",
    build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [validArchive().runs[0], secondRun({ media: { thumbnail: null, gif: null, mp4: null, frames: ['runs/r1/frames/frame-000.png'] } })] })),
    message: /names "runs\/r1\/frames\/frame-000\.png" as frame 0 \(run r2\), which is not in the run's own folder runs\/r2\//,
  },
  {
    name: 'media of the wrong kind by name',
    build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], media: { ...validArchive().runs[0].media, gif: 'runs/r1/thumb.png' } }] })),
    message: /names "runs\/r1\/thumb\.png" as its GIF \(run r1\), which is not a \.gif file/,
  },
  {
    name: 'media of the wrong kind by content',
    build: () => zipBuffer(entriesOf(validArchive()).map((entry) => (entry.name === 'runs/r1/thumb.png' ? { ...entry, data: Buffer.from('#!/bin/sh\necho not an image\n') } : entry))),
    message: /entry "runs\/r1\/thumb\.png", its thumbnail of run r1, is not a PNG image/,
  },
  {
    name: 'the same media named twice',
    build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], media: { ...validArchive().runs[0].media, frames: ['runs/r1/frames/frame-000.png', 'runs/r1/frames/frame-000.png'] } }] })),
    message: /names "runs\/r1\/frames\/frame-000\.png" as frame 1 \(run r1\), a second time/,
  },
  {
    name: 'a run derived from itself',
    build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], derivedFrom: 'r1' }] })),
    message: /runs\.0\.derivedFrom: run r1 is derived from itself/,
  },
  {
    name: 'a lineage cycle',
    build: () => zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], derivedFrom: 'r2' }, secondRun({ derivedFrom: 'r1' })] })),
    message: /runs\.0\.derivedFrom: lineage goes round in a circle \(r1 → r2 → r1\)/,
  },
  {
    name: '50,000 unknown keys in project.json (a few named, the rest counted)',
    build: () => zipBuffer(entriesOf({ ...validArchive(), ...Object.fromEntries(Array.from({ length: 50_000 }, (_, index) => [`k${index}`, index])) })),
    message: /project\.json is malformed \(\(root\): 50000 unknown keys \("k0", "k1", "k2", "k3", "k4" and 49995 more\)\)\. Nothing was imported\.$/,
  },
  {
    name: 'a record that is not a reproducibility record',
    build: () =>
      zipBuffer(entriesOf({ ...validArchive(), runs: [{ ...validArchive().runs[0], media: { ...validArchive().runs[0].media, record: 'runs/r1/clip.json' } }] }, [{ name: 'runs/r1/clip.json', data: Buffer.from('{"prompt": "x"}') }])),
    message: /entry "runs\/r1\/clip\.json", its reproducibility record of run r1, is not a reproducibility record \(it is not a reproducibility record: .*kind/,
  },
  {
    name: 'media named but missing',
    build: () => zipBuffer(entriesOf(validArchive()).filter((entry) => entry.name !== 'runs/r1/frames/frame-000.png')),
    message: /names media "runs\/r1\/frames\/frame-000\.png" \(run r1\), which the archive does not hold/,
  },
];

describe('bad project archives are refused, naming the problem, and leave nothing behind', () => {
  it.each(BAD_ARCHIVES)('$name', async ({ build, message, limits }) => {
    const { folder, db } = seededProject();
    const zipFile = path.join(folder.root, '..', 'bad.zip');
    fs.writeFileSync(zipFile, await build());
    const filesBefore = listFiles(folder.root);
    const outsideBefore = listFiles(path.dirname(folder.root));
    const projectsBefore = new ProjectRepository(db).list();
    const runsBefore = db.prepare('SELECT COUNT(*) AS n FROM generations').get();
    const error = await importProject(zipFile, { folder, db, limits }).then(
      () => null,
      (reason: unknown) => reason as Error & { code?: string },
    );
    expect(error?.message).toMatch(message);
    expect(error?.message).toMatch(/^bad\.zip was refused: .*Nothing was imported\.$/);
    expect(error?.code).toBe('ARCHIVE_REFUSED');
    expect(error?.message.length).toBeLessThan(2000);
    expect(listFiles(folder.root)).toEqual(filesBefore);
    expect(listFiles(path.dirname(folder.root))).toEqual(outsideBefore);
    expect(new ProjectRepository(db).list()).toEqual(projectsBefore);
    expect(db.prepare('SELECT COUNT(*) AS n FROM generations').get()).toEqual(runsBefore);
  });

  it('a sound archive that cannot be written here (outputs/ is a file) leaves no project, rows or staged files', async () => {
    const { folder, db, project } = seededProject();
    const zipFile = path.join(folder.root, '..', 'sound.zip');
    await exportProject(project.id, zipFile, { folder, db });
    fs.rmSync(folder.outputsDir, { recursive: true });
    fs.writeFileSync(folder.outputsDir, 'in the way');
    const projectsBefore = new ProjectRepository(db).list();
    await expect(importProject(zipFile, { folder, db })).rejects.toThrow(/^sound\.zip could not be imported: .*Nothing was imported\.$/);
    expect(new ProjectRepository(db).list()).toEqual(projectsBefore);
    expect(db.prepare('SELECT COUNT(*) AS n FROM generations').get()).toEqual({ n: 3 });
    expect(listFiles(folder.tmpDir)).toEqual([]);
  });

  it('a move that fails halfway (the second run folder) undoes the rows and the folders already moved', async () => {
    const { folder, db, project } = seededProject();
    const zipFile = path.join(folder.root, '..', 'halfway.zip');
    await exportProject(project.id, zipFile, { folder, db });
    const outputsBefore = fs.readdirSync(folder.outputsDir).sort();
    const realRename = fs.renameSync;
    let moves = 0;
    // The disk refuses the second folder move (as a full or vanished disk would).
    const rename = vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      moves += 1;
      if (moves === 2) {
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      realRename(from, to);
    });
    try {
      await expect(importProject(zipFile, { folder, db })).rejects.toThrow(/^halfway\.zip could not be imported: ENOSPC.*Nothing was imported\.$/);
    } finally {
      rename.mockRestore();
    }
    expect(moves).toBe(2);
    expect(fs.readdirSync(folder.outputsDir).sort()).toEqual(outputsBefore);
    expect(new ProjectRepository(db).list().map((p) => p.name)).toEqual(['Default project', 'Circles']);
    expect(db.prepare('SELECT COUNT(*) AS n FROM generations').get()).toEqual({ n: 3 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM comparisons').get()).toEqual({ n: 1 });
    expect(listFiles(folder.tmpDir)).toEqual([]);
  });

  it('an entry whose real size exceeds the limit it declared is stopped while streaming', async () => {
    const { folder, db } = seededProject();
    const zipFile = path.join(folder.root, '..', 'liar.zip');
    const archive = validArchive();
    const honest = await zipBuffer(entriesOf(archive).map((entry) => (entry.name === 'runs/r1/thumb.png' ? { ...entry, data: Buffer.alloc(300_000, 7) } : entry)));
    // Patch the thumbnail's declared uncompressed size (central directory and local header) down to 100 bytes.
    const liar = Buffer.from(honest);
    for (let at = 0; at < liar.length - 4; at++) {
      const signature = liar.readUInt32LE(at);
      const nameAt = signature === 0x02014b50 ? at + 46 : signature === 0x04034b50 ? at + 30 : -1;
      const sizeAt = signature === 0x02014b50 ? at + 24 : at + 22;
      const nameLength = signature === 0x02014b50 ? liar.readUInt16LE(at + 28) : signature === 0x04034b50 ? liar.readUInt16LE(at + 26) : 0;
      if (nameAt > 0 && liar.subarray(nameAt, nameAt + nameLength).toString() === 'runs/r1/thumb.png') {
        liar.writeUInt32LE(100, sizeAt);
      }
    }
    fs.writeFileSync(zipFile, liar);
    const filesBefore = listFiles(folder.root);
    await expect(importProject(zipFile, { folder, db, limits: { maxEntryBytes: 200_000 } })).rejects.toThrow(/liar\.zip was refused: entry "runs\/r1\/thumb\.png" \(run r1\) is damaged \(too many bytes in the stream/);
    expect(listFiles(folder.root)).toEqual(filesBefore);
  });
});
