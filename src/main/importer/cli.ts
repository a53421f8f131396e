import { parseArgs } from 'node:util';
import { ImportCancelled, ImportRefused } from './errors';
import { DEFAULT_NAME, importOpenSora } from './opensora/importOpenSora';
import { formatImportLine, type ImportLine } from './progressLines';

const USAGE = `npm run import-model -- --stdit DIR --vae DIR --t5 DIR --out DIR [--name NAME] [--id ID] [--precision fp16|fp32] [--progress-json]

--progress-json: one JSON object per stdout line (unit, then done, refused, cancelled or failed with its message).
Imports Open-Sora 1.2's published checkpoints (hpcai-tech/OpenSora-STDiT-v3, hpcai-tech/OpenSora-VAE-v1.2,
DeepFloyd/t5-v1_1-xxl) into a studio package, in Node (no Python). fp16 (default) stores the weights at half the
bytes; they are widened to float32 once when a unit loads. Exit code 2: refused input, the reason on stderr.`;

/** Exit status for input the importer refuses (as the Python importer). */
const REFUSED_EXIT = 2;

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        stdit: { type: 'string' },
        vae: { type: 'string' },
        t5: { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        id: { type: 'string' },
        precision: { type: 'string' },
        'progress-json': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`import-model: ${(error as Error).message}\n${USAGE}\n`);
    return REFUSED_EXIT;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { stdit, vae, t5, out } = values as Record<string, string | undefined>;
  const precision = (values.precision as string | undefined) ?? 'fp16';
  if (!stdit || !vae || !t5 || !out || (precision !== 'fp16' && precision !== 'fp32')) {
    process.stderr.write(`import-model: --stdit, --vae, --t5 and --out are required; --precision is fp16 or fp32\n${USAGE}\n`);
    return REFUSED_EXIT;
  }
  const json = values['progress-json'] === true;
  /** The end as a JSON line too (--progress-json), so a parent process shows the message as it is. */
  const endLine = (line: ImportLine): void => {
    if (json) {
      process.stdout.write(formatImportLine(line));
    }
  };
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  try {
    const result = await importOpenSora({
      checkpoints: { stdit, vae, t5 },
      outDir: out,
      name: (values.name as string | undefined) ?? DEFAULT_NAME,
      id: values.id as string | undefined,
      precision,
      signal: controller.signal,
      onProgress: (p) => {
        process.stdout.write(
          json
            ? formatImportLine({ event: 'unit', unit: p.unitId, done: p.done, total: p.total, sizeBytes: p.sizeBytes, elapsedSeconds: p.elapsedMs / 1000, peakRssBytes: p.peakRssBytes })
            : `[${p.done}/${p.total}] ${p.unitId} (${(p.sizeBytes / 1e6).toFixed(1)} MB in memory, ${(p.elapsedMs / 1000).toFixed(1)} s, peak RSS so far ${Math.round(p.peakRssBytes / 2 ** 20)} MiB)\n`,
        );
      },
    });
    const summary = { event: 'done' as const, out: result.outDir, sizeBytes: result.sizeBytes, seconds: result.durationMs / 1000, peakRssBytes: result.peakRssBytes, previewRmse: Math.round(result.previewRmse * 1e5) / 1e5 };
    process.stdout.write(
      json ? formatImportLine(summary) : `wrote ${result.outDir}: ${(result.sizeBytes / 1e6).toFixed(2)} MB in ${summary.seconds} s, peak RSS ${Math.round(result.peakRssBytes / 2 ** 20)} MiB\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ImportRefused) {
      endLine({ event: 'refused', message: error.message });
      process.stderr.write(`import-model: refused: ${error.message}\n`);
      return REFUSED_EXIT;
    }
    if (error instanceof ImportCancelled) {
      endLine({ event: 'cancelled', message: error.message });
      process.stderr.write(`import-model: ${error.message}\n`);
      return 130;
    }
    endLine({ event: 'failed', message: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** Exits once stdout has taken every line: a pipe to a parent process may be written asynchronously (macOS). */
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterOutput, (error: unknown) => {
  process.stderr.write(`import-model: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  exitAfterOutput(1);
});
