import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProjectCommand } from '../../src/main/cli/projectCommands';
import { HistoryRepository } from '../../src/main/store/historyRepository';
import { ProjectRepository } from '../../src/main/store/projectRepository';
import { listFiles, seedRun, tempDataFolder } from './archiveSupport';

function seeded() {
  const { folder, db } = tempDataFolder();
  const project = new ProjectRepository(db).create('Moving shapes');
  const history = new HistoryRepository(db);
  seedRun(folder, history, { id: 'run-1', createdAtMs: 1000, prompt: 'a red circle', projectId: project.id, shade: 5 });
  seedRun(folder, history, { id: 'run-2', createdAtMs: 2000, prompt: 'a blue square', projectId: project.id, derivedFrom: 'run-1', shade: 90 });
  db.close();
  return { folder };
}

describe('npm run project (list, export, import on a data folder)', () => {
  it('round-trips a project by name, in text and --json', async () => {
    const { folder } = seeded();
    const list = await runProjectCommand(['list'], { folder });
    expect(list).toMatchObject({ exitCode: 0, stderr: '' });
    expect(list.stdout).toBe('Default project (default) — 0 runs, 0 comparisons\nMoving shapes — 2 runs, 0 comparisons\n');
    const zip = path.join(folder.root, '..', 'shapes.zip');
    const exported = await runProjectCommand(['export', 'moving SHAPES', '--out', zip, '--json'], { folder });
    expect(exported.exitCode).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ project: { name: 'Moving shapes', runCount: 2 }, file: zip });
    expect(fs.statSync(zip).size).toBe(JSON.parse(exported.stdout).sizeBytes);
    const imported = await runProjectCommand(['import', zip], { folder, isModelInstalled: () => false });
    expect(imported).toMatchObject({ exitCode: 0, stdout: 'Moving shapes (2)\nNot installed here (its runs are kept and marked): shapes-tiny\n' });
    const again = await runProjectCommand(['import', zip, '--json'], { folder, isModelInstalled: () => true });
    expect(JSON.parse(again.stdout)).toMatchObject({ project: { name: 'Moving shapes (3)', runCount: 2 }, runCount: 2, comparisonCount: 0, missingModelIds: [] });
    const listed = JSON.parse((await runProjectCommand(['list', '--json'], { folder })).stdout) as Array<{ name: string; runCount: number }>;
    expect(listed.map((project) => [project.name, project.runCount])).toEqual([
      ['Default project', 0],
      ['Moving shapes', 2],
      ['Moving shapes (2)', 2],
      ['Moving shapes (3)', 2],
    ]);
  });

  it('reports a refused archive, an unknown project and bad usage with exit codes and nothing written', async () => {
    const { folder } = seeded();
    const bad = path.join(folder.root, '..', 'notes.zip');
    fs.writeFileSync(bad, 'not a zip');
    const before = listFiles(folder.root);
    const refused = await runProjectCommand(['import', bad, '--json'], { folder });
    expect(refused.exitCode).toBe(1);
    expect(JSON.parse(refused.stdout)).toEqual({ error: { code: 'ARCHIVE_REFUSED', message: expect.stringMatching(/^notes\.zip was refused: it is not a zip archive/) } });
    expect(listFiles(folder.root)).toEqual(before);
    const unknown = await runProjectCommand(['export', 'Nope', '--out', path.join(folder.root, '..', 'x.zip')], { folder });
    expect(unknown).toMatchObject({ exitCode: 1, stderr: 'error: No project named “Nope”. Projects: Default project, Moving shapes.\n' });
    expect((await runProjectCommand(['export', 'Moving shapes'], { folder })).exitCode).toBe(2);
    expect((await runProjectCommand(['frobnicate'], { folder })).stderr).toMatch(/unknown command "frobnicate"/);
    expect((await runProjectCommand(['list', '--verbose'], { folder })).exitCode).toBe(2);
  });
});
