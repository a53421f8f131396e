import { randomUUID } from 'node:crypto';
import type { Project } from '@shared/domain/projects';
import { StudioError } from '@shared/ipc/errors';
import type { StudioDatabase } from './database';

/** The project every run belongs to until moved; created by the schema migration and never deleted. */
export const DEFAULT_PROJECT_ID = 'default';

interface ProjectRow {
  id: string;
  name: string;
  created_at_ms: number;
  is_default: number;
  run_count: number;
  comparison_count: number;
}

const SELECT_PROJECTS = `SELECT p.*,
    (SELECT COUNT(*) FROM generations g WHERE g.project_id = p.id) AS run_count,
    (SELECT COUNT(*) FROM comparisons c WHERE c.project_id = p.id) AS comparison_count
  FROM projects p`;

function toProject(row: ProjectRow): Project {
  return { id: row.id, name: row.name, createdAtMs: row.created_at_ms, isDefault: row.is_default === 1, runCount: row.run_count, comparisonCount: row.comparison_count };
}

/** Projects: create, rename, delete (its runs and comparisons with it), list with counts. */
export class ProjectRepository {
  constructor(private readonly db: StudioDatabase) {}

  list(): Project[] {
    return (this.db.prepare(`${SELECT_PROJECTS} ORDER BY p.is_default DESC, p.name COLLATE NOCASE`).all() as ProjectRow[]).map(toProject);
  }

  get(id: string): Project | undefined {
    const row = this.db.prepare(`${SELECT_PROJECTS} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
    return row ? toProject(row) : undefined;
  }

  /** The project with this name (case-insensitive), or the one with this id. */
  find(nameOrId: string): Project | undefined {
    const row = this.db.prepare(`${SELECT_PROJECTS} WHERE p.name = ? COLLATE NOCASE OR p.id = ?`).get(nameOrId.trim(), nameOrId) as ProjectRow | undefined;
    return row ? toProject(row) : undefined;
  }

  require(id: string): Project {
    const project = this.get(id);
    if (!project) {
      throw new StudioError('NOT_FOUND', `No project with id ${id}.`);
    }
    return project;
  }

  create(name: string, options: { id?: string; createdAtMs?: number } = {}): Project {
    const trimmed = name.trim();
    this.refuseTaken(trimmed);
    const id = options.id ?? randomUUID();
    this.db.prepare('INSERT INTO projects (id, name, created_at_ms, is_default) VALUES (?, ?, ?, 0)').run(id, trimmed, options.createdAtMs ?? Date.now());
    return this.require(id);
  }

  rename(id: string, name: string): Project {
    this.require(id);
    const trimmed = name.trim();
    this.refuseTaken(trimmed, id);
    this.db.prepare('UPDATE projects SET name = ? WHERE id = ?').run(trimmed, id);
    return this.require(id);
  }

  /** A free name based on `name`: itself, else "name (2)", "name (3)", … */
  freeName(name: string): string {
    const base = name.trim();
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base} (${n})`;
      if (!this.find(candidate)) {
        return candidate;
      }
    }
  }

  /**
   * Deletes the project, its runs and its comparisons in one transaction and returns the deleted runs' media
   * folders (relative to the data folder) for the caller to remove. The default project cannot be deleted.
   */
  delete(id: string): { project: Project; mediaDirs: string[] } {
    const project = this.require(id);
    if (project.isDefault) {
      throw new StudioError('INVALID_PARAMS', `“${project.name}” is the default project; it cannot be deleted.`);
    }
    const mediaDirs = this.db.transaction(() => {
      const dirs = (this.db.prepare('SELECT media_dir FROM generations WHERE project_id = ? AND media_dir IS NOT NULL').all(id) as Array<{ media_dir: string }>).map((row) => row.media_dir);
      this.db.prepare('DELETE FROM generations WHERE project_id = ?').run(id);
      this.db.prepare('DELETE FROM comparisons WHERE project_id = ?').run(id);
      this.db.prepare('DELETE FROM projects WHERE id = ?').run(id);
      return dirs;
    })();
    return { project, mediaDirs };
  }

  private refuseTaken(name: string, exceptId?: string): void {
    const existing = this.find(name);
    if (existing && existing.id !== exceptId && existing.name.toLowerCase() === name.toLowerCase()) {
      throw new StudioError('INVALID_PARAMS', `A project named “${existing.name}” already exists.`);
    }
  }
}
