import { parseArgs } from 'node:util';

import { ModelPackageError } from '../engine/package/modelPackageError';
import { ONNXRUNTIME_VERSION, coremlReport, type CoremlReport } from './coremlReport';
import { CoremlReportError } from './ortGraph';

const USAGE = `npm run coreml-report -- --model DIR [--json] [--symbolic] [--dims NAME=SIZE,…]

For every unit of a model package: its operators, the nodes ORT's CoreML execution provider (ML Program,
onnxruntime ${ONNXRUNTIME_VERSION}) would leave to the CPU and why, the number of CoreML partitions, the share of the unit's
matrix-product and convolution FLOPs on CoreML, and its symbolic input axes. Runs on any platform (no Mac needed):
ORT's own CPU session applies the optimisations that precede partitioning. FLOPs use the package's default clip
(B = 2 for the CFG pair in the denoiser, L = the tokenizer's maxTokens) unless --dims sizes the axes. The axes are
fixed to those sizes before ORT optimises, as the engine's CoreML sessions get them on a Mac; --symbolic analyses
the graphs as stored instead (as the CPU EP loads them). docs/coreml.md explains the rules and their sources.`;

const USAGE_EXIT = 2;

function parseDims(text: string | undefined): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const item of (text ?? '').split(',').filter(Boolean)) {
    const match = /^([A-Za-z_][\w]*)=(\d+)$/.exec(item.trim());
    if (!match || Number(match[2]) < 1) {
      throw new CoremlReportError(`--dims item "${item}" is not NAME=SIZE with SIZE ≥ 1`);
    }
    dims[match[1]] = Number(match[2]);
  }
  return dims;
}

const percent = (share: number): string => `${(share * 100).toFixed(share === 1 || share === 0 ? 0 : 1)} %`;

function formatText(report: CoremlReport): string {
  const lines = [
    `CoreML EP (ML Program) coverage of ${report.model}, as onnxruntime ${report.onnxruntimeVersion} would partition it (${report.shapes} shapes; FLOPs at each unit's axis sizes)`,
  ];
  for (const unit of report.units) {
    const axes = unit.symbolicAxes.map((axis) => `${axis.input}[${axis.axis}]=${axis.name}`).join(' ') || 'none';
    lines.push(
      '',
      `${unit.name} (${unit.file}): ${unit.partitions} CoreML partition${unit.partitions === 1 ? '' : 's'}, ${unit.coremlNodes}/${unit.nodes} nodes, ${percent(unit.coremlFlopShare)} of ${(unit.flops.total / 1e9).toFixed(3)} GFLOP on CoreML`,
      `  symbolic axes: ${axes} (sized ${Object.entries(unit.dims)
        .map(([name, size]) => `${name}=${size}`)
        .join(' ')})`,
      `  ops: ${Object.entries(unit.ops)
        .map(([op, count]) => `${op}×${count}`)
        .join(' ')}`,
    );
    for (const entry of unit.unsupported) {
      lines.push(`  CPU: ${entry.op} ×${entry.count}: ${entry.reason} (e.g. ${entry.node})`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { model: { type: 'string' }, json: { type: 'boolean' }, symbolic: { type: 'boolean' }, dims: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    process.stderr.write(`coreml-report: ${(error as Error).message}\n${USAGE}\n`);
    return USAGE_EXIT;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof values.model !== 'string') {
    process.stderr.write(`coreml-report: --model DIR is required\n${USAGE}\n`);
    return USAGE_EXIT;
  }
  try {
    const report = await coremlReport(values.model, {
      staticShapes: values.symbolic !== true,
      dims: parseDims(values.dims as string | undefined),
      onUnit: values.json ? undefined : (name) => process.stderr.write(`analysing ${name}\n`),
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
    return 0;
  } catch (error) {
    if (error instanceof CoremlReportError || error instanceof ModelPackageError) {
      process.stderr.write(`coreml-report: ${error.message}\n`);
      return USAGE_EXIT;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`coreml-report: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
