import { randomUUID } from 'node:crypto';
import type { SaveComparisonInput, SavedComparison, SavedVariant } from '@shared/domain/projects';
import type { StudioDatabase } from './database';
import { DEFAULT_PROJECT_ID } from './projectRepository';

interface ComparisonRow {
  id: string;
  project_id: string;
  created_at_ms: number;
  prompt: string;
  seed: number;
}

interface VariantRow {
  position: number;
  variant_json: string;
  run_id: string | null;
  start_error: string | null;
}

/** Saved comparisons: prompt, seed and the variants in order with the run of each, so a comparison reopens as it was. */
export class ComparisonRepository {
  constructor(private readonly db: StudioDatabase) {}

  save(input: SaveComparisonInput & { id?: string; createdAtMs?: number }): SavedComparison {
    const id = input.id ?? randomUUID();
    const projectId = input.projectId ?? DEFAULT_PROJECT_ID;
    const createdAtMs = input.createdAtMs ?? Date.now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO comparisons (id, project_id, created_at_ms, prompt, seed, request_json) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, projectId, createdAtMs, input.prompt, input.seed, JSON.stringify({ prompt: input.prompt, seed: input.seed }));
      const insert = this.db.prepare('INSERT INTO comparison_variants (comparison_id, position, variant_json, run_id, start_error) VALUES (?, ?, ?, ?, ?)');
      input.variants.forEach((entry, position) => insert.run(id, position, JSON.stringify(entry.variant), entry.runId, entry.startError));
    })();
    return this.get(id) as SavedComparison;
  }

  /** Fills in a variant's run once the job was queued (a comparison is saved before its jobs start). */
  setRun(comparisonId: string, position: number, runId: string | null, startError: string | null): boolean {
    return this.db.prepare('UPDATE comparison_variants SET run_id = ?, start_error = ? WHERE comparison_id = ? AND position = ?').run(runId, startError, comparisonId, position).changes > 0;
  }

  get(id: string): SavedComparison | undefined {
    const row = this.db.prepare('SELECT id, project_id, created_at_ms, prompt, seed FROM comparisons WHERE id = ?').get(id) as ComparisonRow | undefined;
    return row ? this.withVariants(row) : undefined;
  }

  list(projectId?: string): SavedComparison[] {
    const rows = (
      projectId
        ? this.db.prepare('SELECT id, project_id, created_at_ms, prompt, seed FROM comparisons WHERE project_id = ? ORDER BY created_at_ms DESC, id').all(projectId)
        : this.db.prepare('SELECT id, project_id, created_at_ms, prompt, seed FROM comparisons ORDER BY created_at_ms DESC, id').all()
    ) as ComparisonRow[];
    return rows.map((row) => this.withVariants(row));
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM comparisons WHERE id = ?').run(id).changes > 0;
  }

  private withVariants(row: ComparisonRow): SavedComparison {
    const variants = this.db.prepare('SELECT position, variant_json, run_id, start_error FROM comparison_variants WHERE comparison_id = ? ORDER BY position').all(row.id) as VariantRow[];
    return {
      id: row.id,
      projectId: row.project_id,
      createdAtMs: row.created_at_ms,
      prompt: row.prompt,
      seed: row.seed,
      variants: variants.map((variant) => ({ variant: JSON.parse(variant.variant_json) as SavedVariant, runId: variant.run_id, startError: variant.start_error })),
    };
  }
}
