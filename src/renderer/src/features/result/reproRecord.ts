import type { StudioGenerateRequest, GenerationSummary } from '@shared/domain/generation';
import type { JobId } from '@shared/domain/studio';
import { APP_NAME, APP_VERSION } from '@shared/version';

export const RECORD_KIND = 'on-device-sora-studio/reproducibility-record';

export interface ExportInfo {
  fileName: string;
  format: 'mp4' | 'webm' | 'gif' | 'png' | 'json';
  codec: string | null;
  /** Pixel scale applied on export (nearest neighbour). */
  scale: number;
  width: number;
  height: number;
  frames: number;
  fps: number;
}

/** What it takes to make the clip again, written next to (or into) every export. */
export interface ReproRecord {
  kind: typeof RECORD_KIND;
  schemaVersion: 1;
  app: { name: string; version: string };
  jobId: JobId;
  exportedAt: string;
  prompt: string;
  seed: number;
  model: { id: string; version: string };
  /** The request that reproduces the clip (resolved values, random seed included). */
  request: StudioGenerateRequest;
  output: { frames: number; width: number; height: number; fps: number };
  run: Pick<GenerationSummary, 'stepsRun' | 'leapStep' | 'mergedSteps' | 'timingsMs' | 'peakRssBytes' | 'peakResidentBytes' | 'memoryBudgetBytes' | 'warnings'>;
  export: ExportInfo | null;
}

export function buildReproRecord(jobId: JobId, summary: GenerationSummary, exported: ExportInfo | null, now: Date = new Date()): ReproRecord {
  const { settings } = summary;
  return {
    kind: RECORD_KIND,
    schemaVersion: 1,
    app: { name: APP_NAME, version: APP_VERSION },
    jobId,
    exportedAt: now.toISOString(),
    prompt: settings.prompt,
    seed: summary.seed,
    model: { id: settings.modelId, version: settings.modelVersion },
    request: {
      prompt: settings.prompt,
      seed: summary.seed,
      steps: settings.steps,
      cfgScale: settings.cfgScale,
      lpl: settings.lpl,
      tdtmMergedSteps: settings.tdtmMergedSteps,
      memoryBudget: settings.memoryBudget,
    },
    output: { frames: settings.frames, width: settings.width, height: settings.height, fps: settings.fps },
    run: {
      stepsRun: summary.stepsRun,
      leapStep: summary.leapStep,
      mergedSteps: summary.mergedSteps,
      timingsMs: summary.timingsMs,
      peakRssBytes: summary.peakRssBytes,
      peakResidentBytes: summary.peakResidentBytes,
      memoryBudgetBytes: summary.memoryBudgetBytes,
      warnings: summary.warnings,
    },
    export: exported,
  };
}

/** A file-name stem from the prompt and seed: "a-yellow-square-moving-up-seed42". */
export function exportBaseName(prompt: string, seed: number): string {
  const slug = prompt
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return `${slug || 'clip'}-seed${seed}`;
}
