import type { GenerateRequest, GenerationSummary } from '../../shared/domain/generation';
import type { HistoryEntry, HistoryQuery } from '../../shared/domain/history';
import type { SerializedError } from '../../shared/ipc/errors';
import type { StudioDatabase } from './database';

interface Row {
  id: string;
  created_at_ms: number;
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

/** The prompt history: every finished, failed or cancelled generation, newest first. */
export class HistoryRepository {
  constructor(private readonly db: StudioDatabase) {}

  record(entry: {
    id: string;
    createdAtMs: number;
    status: HistoryEntry['status'];
    request: GenerateRequest;
    summary?: GenerationSummary;
    error?: SerializedError;
  }): void {
    const { summary } = entry;
    this.db
      .prepare(
        `INSERT OR REPLACE INTO generations (id, created_at_ms, finished_at_ms, status, prompt, seed, model_id, steps, steps_run,
           leap_step, merged_steps, total_ms, peak_rss_bytes, request_json, summary_json, error_json, outputs_json)
         VALUES (@id, @createdAtMs, @finishedAtMs, @status, @prompt, @seed, @modelId, @steps, @stepsRun, @leapStep, @mergedSteps,
           @totalMs, @peakRssBytes, @requestJson, @summaryJson, @errorJson, @outputsJson)`,
      )
      .run({
        id: entry.id,
        createdAtMs: entry.createdAtMs,
        finishedAtMs: Date.now(),
        status: entry.status,
        prompt: entry.request.prompt,
        seed: summary?.seed ?? entry.request.seed ?? null,
        modelId: summary?.settings.modelId ?? null,
        steps: summary?.settings.steps ?? entry.request.steps ?? null,
        stepsRun: summary?.stepsRun ?? null,
        leapStep: summary?.leapStep ?? null,
        mergedSteps: summary?.mergedSteps ?? null,
        totalMs: summary?.timingsMs.total ?? null,
        peakRssBytes: summary?.peakRssBytes ?? null,
        requestJson: JSON.stringify(entry.request),
        summaryJson: summary ? JSON.stringify(summary) : null,
        errorJson: entry.error ? JSON.stringify(entry.error) : null,
        outputsJson: JSON.stringify(summary?.outputs ?? []),
      });
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
    request: JSON.parse(row.request_json) as GenerateRequest,
    error: row.error_json ? (JSON.parse(row.error_json) as SerializedError) : null,
    outputs: JSON.parse(row.outputs_json) as string[],
  };
}
