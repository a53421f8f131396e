import type { StudioGenerateRequest } from '../../shared/domain/generation';
import type { HistoryEntry, HistoryQuery } from '../../shared/domain/history';
import type { SerializedError } from '../../shared/ipc/errors';
import type { StudioDatabase } from './database';
import { writeFinishedRun, type FinishedRun } from './runLog';

interface Row {
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
}

const SORT_COLUMNS: Record<HistoryQuery['sortBy'], string> = {
  createdAt: 'created_at_ms',
  prompt: 'prompt',
  totalMs: 'total_ms',
  stepsRun: 'steps_run',
};

/** The prompt history: every run (queued, running, finished, failed, cancelled or interrupted), newest first. */
export class HistoryRepository {
  constructor(private readonly db: StudioDatabase) {}

  /** Writes a finished run (see runLog.ts for the whole lifecycle). */
  record(run: FinishedRun): void {
    writeFinishedRun(this.db, run);
  }

  list(query: HistoryQuery): { entries: HistoryEntry[]; total: number } {
    const where = query.search ? 'WHERE prompt LIKE @pattern ESCAPE \'\\\'' : '';
    const pattern = query.search ? `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const order = `${SORT_COLUMNS[query.sortBy]} ${query.descending ? 'DESC' : 'ASC'}, created_at_ms DESC`;
    const rows = this.db
      .prepare(`SELECT * FROM generations ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all({ pattern, limit: query.limit, offset: query.offset }) as Row[];
    const { total } = this.db.prepare(`SELECT COUNT(*) AS total FROM generations ${where}`).get({ pattern }) as { total: number };
    return { entries: rows.map(toEntry), total };
  }

  get(id: string): HistoryEntry | undefined {
    const row = this.db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM generations WHERE id = ?').run(id).changes > 0;
  }
}

function toEntry(row: Row): HistoryEntry {
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
  };
}
