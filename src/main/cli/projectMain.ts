import { ModelCatalog } from '../backend/modelCatalog';
import { openDataFolder } from '../store/legacyDataFolder';
import { runProjectCommand } from './projectCommands';

/** `npm run project -- list | export NAME --out FILE.zip | import FILE.zip [--json]` on the studio's data folder. */
async function main(): Promise<number> {
  const folder = openDataFolder();
  // The models this studio has: the built-in one and those added to the same data folder.
  const installed = new Set(new ModelCatalog({ modelsDir: folder.modelsDir }).list().map((model) => model.id));
  const result = await runProjectCommand(process.argv.slice(2), { folder, isModelInstalled: (id) => installed.has(id) });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
