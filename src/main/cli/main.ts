import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerationEvent, GenerationSummary } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import { EngineClient } from '../engine-host/engineClient';
import type { EngineGenerateParams } from '../engine-host/engineRequests';
import { launchNodeEngine } from '../engine-host/nodeEngineConnection';
import { ModelCatalog } from '../backend/modelCatalog';
import { openDataFolder } from '../store/legacyDataFolder';
import { CLI_USAGE, CliUsageError, parseCliArgs } from './args';
import { clipBaseName, copyOutputs } from '../backend/outputsCopy';
import { resolveModelChoice, runRecorded } from './recordedRun';
import { resolveExtendReference } from './extendSource';
import { createProgressPrinter, formatSummaryTable } from './report';

/**
 * `npm run generate -- "<prompt>" [options]`: a headless generation. The engine runs in its own process (as in
 * browser mode); the run is recorded in the studio's history (unless --no-history); progress goes to stderr, the
 * summary table (or with --json one JSON object) to stdout.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

function defaultOutBase(prompt: string): string {
  return path.resolve('outputs', clipBaseName(prompt));
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`error: ${error.message}\n\n${CLI_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(`${CLI_USAGE}\n`);
    return 0;
  }
  if (options.extend) {
    try {
      options.request.reference = resolveExtendReference(options.extend, openDataFolder());
    } catch (error) {
      process.stderr.write(`error (${error instanceof StudioError ? error.code : 'INTERNAL'}): ${(error as Error).message}\n`);
      return 2;
    }
  }
  const outBase = options.outBase?.replace(/\.(gif|mp4|json|png)$/i, '');
  const engine = new EngineClient({ launch: () => launchNodeEngine(path.join(here, 'engineProcess.js')), restart: false });
  engine.start();
  const printProgress = createProgressPrinter(process.stderr);
  let cancel: (() => void) | undefined;
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted || !cancel) {
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write('\ncancelling… (Ctrl+C again to quit at once)\n');
    cancel();
  });
  try {
    let result: { summary: GenerationSummary; runId?: string; projectId?: string; mediaDir?: string };
    if (options.history) {
      const run = await runRecorded(options, {
        folder: openDataFolder(),
        engine,
        onEvent: printProgress,
        onCancellable: (cancelJob) => (cancel = cancelJob),
        warn: (line) => process.stderr.write(`${line}\n`),
      });
      const outputs = outBase ? copyOutputs(run.summary.outputs, outBase) : run.summary.outputs;
      result = { ...run, summary: { ...run.summary, outputs }, mediaDir: path.dirname(run.summary.outputs[0] ?? '') };
    } else {
      const catalog = new ModelCatalog({ modelsDir: openDataFolder().modelsDir });
      const choice = resolveModelChoice(catalog, options.model);
      const modelPath = choice.kind === 'path' ? choice.path : choice.kind === 'id' ? catalog.resolve(choice.id).dir : undefined;
      const params: EngineGenerateParams = { request: { ...options.request, modelPath }, output: { basePath: outBase ?? defaultOutBase(options.request.prompt) } };
      const job = engine.startRequest<{ summary: GenerationSummary }>('generate', params, (event) => printProgress(event as GenerationEvent));
      cancel = () => engine.cancel(job.requestId);
      result = await job.result;
    }
    const { summary } = result;
    if (options.json) {
      const { frames, width, height } = summary.settings;
      process.stdout.write(`${JSON.stringify({ ...summary, conditioning: summary.conditioning ?? null, frames, width, height, runId: result.runId ?? null, projectId: result.projectId ?? null, mediaDir: result.mediaDir ?? null })}\n`);
    } else {
      process.stdout.write(`${formatSummaryTable(summary)}\n`);
      if (result.runId) {
        process.stdout.write(`Recorded in the history as run ${result.runId}; its files are in ${result.mediaDir}.\n`);
      }
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof StudioError ? error.code : 'INTERNAL';
    process.stderr.write(`error (${code}): ${message}\n`);
    return code === 'CANCELLED' ? 130 : code === 'INVALID_PARAMS' || code === 'MODEL_INVALID' || code === 'NOT_FOUND' ? 2 : 1;
  } finally {
    engine.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
