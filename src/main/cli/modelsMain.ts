import { ModelCatalog } from '../backend/modelCatalog';
import { openDataFolder } from '../store/legacyDataFolder';
import { runModelsCommand } from './modelsCommands';

/** `npm run models -- list [--json]`: the models of the studio's data folder (the same library the window shows). */
const folder = openDataFolder();
const result = runModelsCommand(process.argv.slice(2), new ModelCatalog({ modelsDir: folder.modelsDir }));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
