import { probeSpecSchema, runProbe, type ProbeContext } from './realSize/probe';

/** `benchProbe.js '<spec json>' '<context json>'`: one real-size measurement; prints its result as one JSON line. */
async function main(): Promise<void> {
  const [specText, contextText] = process.argv.slice(2);
  const spec = probeSpecSchema.parse(JSON.parse(specText));
  const context = JSON.parse(contextText) as ProbeContext;
  const result = await runProbe(context, spec);
  // Exit only once the line is flushed: on a pipe, stdout writes are asynchronous and process.exit drops the rest.
  await new Promise<void>((resolve, reject) => process.stdout.write(`${JSON.stringify(result)}\n`, (error) => (error ? reject(error) : resolve())));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`probe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
