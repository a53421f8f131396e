import type { HistoryEntry } from '@shared/domain/history';

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Local date and time, "2025-03-07 14:05:09": sortable by eye and the same in every locale. */
export function formatTimestamp(timeMs: number): string {
  const date = new Date(timeMs);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "12 / 30": the steps that ran out of those asked for ("–" where the run never got that far). */
export function formatStepsRun(entry: Pick<HistoryEntry, 'stepsRun' | 'steps'>): string {
  return `${entry.stepsRun ?? '–'} / ${entry.steps ?? '–'}`;
}

/** The leap as the composer's leap step counts it: "after 15" = 15 regular steps, then the leap (16 model calls). */
export function formatLeap(leapStep: number | null): string {
  return leapStep === null ? '–' : `after ${leapStep}`;
}

export const STATUS_LABELS: Record<HistoryEntry['status'], string> = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};
