import type { GenerationSummary, StudioGenerateRequest } from '@shared/domain/generation';
import type { HistoryEntry, HistoryQuery, HistorySortColumn } from '@shared/domain/history';
import type { SerializedError } from '@shared/ipc/errors';
import type { StudioDatabase } from './database';
import { ftsQuery } from './ftsQuery';
import { writeFinishedRun, type FinishedRun } from './runLog';

export interface Row {
  id: string;
  created_at_ms: number;
  started_at_ms: number | null;
  finished_at_ms: number | null;
  status: HistoryEntry['status'];
  prompt: string;
  seed: number | null;
  model_id: string | null;
  steps: number | null;
  steps_run: number | null;
  leap_step: number | null;
  merged_steps: number | null;
  total_ms: number | null;
  peak_rss_bytes: number | null;
  request_json: string;
  summary_json: string | null;
  error_json: string | null;
  outputs_json: string;
  project_id: string;
  derived_from: string | null;
  starred: number;
  model_version: string | null;
  manifest_hash: string | null;
  memory_budget_bytes: number | null;
  media_dir: string | null;
}

const SORT_COLUMNS: Record<HistorySortColumn, string> = {
  createdAt: 'created_at_ms',
  prompt: 'prompt',
  totalMs: 'total_ms',
  stepsRun: 'steps_run',
  seed: 'seed',
  leapStep: 'leap_step',
  mergedSteps: 'merged_steps',
  memoryBudget: 'memory_budget_bytes',
  peakRss: 'peak_rss_bytes',
  starred: 'starred',
};

export interface HistoryRepositoryOptions {
  /** Whether a model id is installed here; every model counts as installed when absent. */
  isModelInstalled?: (modelId: string) => boolean;
}

/**
 * The prompt history: every run (queued, running, finished, failed, cancelled or interrupted), newest first, grouped
 * by project.
 */
export class HistoryRepository {
  constructor(
    readonly db: StudioDatabase,
    private readonly options: HistoryRepositoryOptions = {},
  ) {}

  /** Writes a finished run (see runLog.ts for the whole lifecycle). */
  record(run: FinishedRun): void {
    writeFinishedRun(this.db, run);
  }

  /** Writes a whole row as given (an imported run keeps its dates, star and lineage). */
  insertRow(row: Row): void {
    const columns = Object.keys(row);
    this.db.prepare(`INSERT INTO generations (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`).run(row);
  }

  list(query: HistoryQuery): { entries: HistoryEntry[]; total: number } {
    const conditions: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit, offset: query.offset };
    const match = query.search ? ftsQuery(query.search) : null;
    if (query.search && match === null) {
      // Nothing searchable (only punctuation): no prompt can match.
      return { entries: [], total: 0 };
    }
    if (match) {
      conditions.push('id IN (SELECT id FROM generations_fts WHERE generations_fts MATCH @match)');
      params.match = match;
    }
    if (query.projectId) {
      conditions.push('project_id = @projectId');
      params.projectId = query.projectId;
    }
    if (query.modelId) {
      conditions.push('model_id = @modelId');
      params.modelId = query.modelId;
    }
    if (query.lplUsed !== undefined) {
      conditions.push(query.lplUsed ? 'leap_step IS NOT NULL' : 'leap_step IS NULL');
    }
    if (query.tdtmUsed !== undefined) {
      conditions.push(query.tdtmUsed ? 'merged_steps > 0' : 'COALESCE(merged_steps, 0) = 0');
    }
    if (query.starredOnly) {
      conditions.push('starred = 1');
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const direction = query.descending ? 'DESC' : 'ASC';
    // Unknown values sort last either way; ties keep newest first.
    const column = SORT_COLUMNS[query.sortBy];
    const order = `${column} IS NULL, ${column} ${direction}, created_at_ms DESC, id`;
    const rows = this.db.prepare(`SELECT * FROM generations ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all(params) as Row[];
    const countParams = { ...params };
    delete countParams.limit;
    delete countParams.offset;
    const { total } = this.db.prepare(`SELECT COUNT(*) AS total FROM generations ${where}`).get(countParams) as { total: number };
    return { entries: rows.map((row) => this.toEntry(row)), total };
  }

  get(id: string): HistoryEntry | undefined {
    const row = this.row(id);
    return row ? this.toEntry(row) : undefined;
  }

  row(id: string): Row | undefined {
    return this.db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as Row | undefined;
  }

  summaryOf(id: string): GenerationSummary | undefined {
    const row = this.db.prepare('SELECT summary_json FROM generations WHERE id = ?').get(id) as { summary_json: string | null } | undefined;
    return row?.summary_json ? (JSON.parse(row.summary_json) as GenerationSummary) : undefined;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM generations WHERE id = ?').run(id).changes > 0;
  }

  setStarred(id: string, starred: boolean): boolean {
    return this.db.prepare('UPDATE generations SET starred = ? WHERE id = ?').run(starred ? 1 : 0, id).changes > 0;
  }

  /** Moves runs to another project; returns how many moved. */
  move(ids: readonly string[], projectId: string): number {
    const statement = this.db.prepare('UPDATE generations SET project_id = ? WHERE id = ?');
    return this.db.transaction(() => ids.reduce((moved, id) => moved + statement.run(projectId, id).changes, 0))();
  }

  /** A project's ended runs (none still queued or running), oldest first: what an export holds. */
  rowsOfProject(projectId: string): Row[] {
    return this.db.prepare("SELECT * FROM generations WHERE project_id = ? AND status NOT IN ('queued', 'running') ORDER BY created_at_ms, id").all(projectId) as Row[];
  }

  toEntry(row: Row): HistoryEntry {
    const isModelInstalled = this.options.isModelInstalled;
    return {
      id: row.id,
      createdAtMs: row.created_at_ms,
      startedAtMs: row.started_at_ms,
      finishedAtMs: row.finished_at_ms,
      status: row.status,
      prompt: row.prompt,
      seed: row.seed,
      modelId: row.model_id,
      steps: row.steps,
      stepsRun: row.steps_run,
      leapStep: row.leap_step,
      mergedSteps: row.merged_steps,
      totalMs: row.total_ms,
      peakRssBytes: row.peak_rss_bytes,
      request: JSON.parse(row.request_json) as StudioGenerateRequest,
      error: row.error_json ? (JSON.parse(row.error_json) as SerializedError) : null,
      outputs: JSON.parse(row.outputs_json) as string[],
      projectId: row.project_id,
      derivedFrom: row.derived_from,
      starred: row.starred === 1,
      modelVersion: row.model_version,
      manifestHash: row.manifest_hash,
      memoryBudgetBytes: row.memory_budget_bytes,
      hasMedia: row.media_dir !== null,
      modelInstalled: row.model_id === null || !isModelInstalled ? true : isModelInstalled(row.model_id),
    };
  }
}
