import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GenerationEvent, GenerationSummary } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import { EngineClient } from '../engine-host/engineClient';
import type { EngineGenerateParams } from '../engine-host/engineRequests';
import { launchNodeEngine } from '../engine-host/nodeEngineConnection';
import { CLI_USAGE, CliUsageError, parseCliArgs } from './args';
import { createProgressPrinter, formatSummaryTable } from './report';

/**
 * `npm run generate -- "<prompt>" [options]`: a headless generation. The engine runs in its own process (as in
 * browser mode); progress goes to stderr, the summary table (or with --json one JSON object) to stdout.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

function defaultOutBase(prompt: string): string {
  const slug = prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'clip';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return path.resolve('outputs', `${stamp}-${slug}`);
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
  const outBase = (options.outBase ?? defaultOutBase(options.request.prompt)).replace(/\.(gif|mp4|json|png)$/i, '');
  const engine = new EngineClient({ launch: () => launchNodeEngine(path.join(here, 'engineProcess.js')), restart: false });
  engine.start();
  const printProgress = createProgressPrinter(process.stderr);
  const params: EngineGenerateParams = { request: options.request, output: { basePath: outBase } };
  const job = engine.startRequest<{ summary: GenerationSummary }>('generate', params, (event) => printProgress(event as GenerationEvent));
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) {
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write('\ncancelling… (Ctrl+C again to quit at once)\n');
    engine.cancel(job.requestId);
  });
  try {
    const { summary } = await job.result;
    if (options.json) {
      const { frames, width, height } = summary.settings;
      process.stdout.write(`${JSON.stringify({ ...summary, frames, width, height })}\n`);
    } else {
      process.stdout.write(`${formatSummaryTable(summary)}\n`);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof StudioError ? error.code : 'INTERNAL';
    process.stderr.write(`error (${code}): ${message}\n`);
    return code === 'CANCELLED' ? 130 : code === 'INVALID_PARAMS' || code === 'MODEL_INVALID' ? 2 : 1;
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
