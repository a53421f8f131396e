import { readModelPackage } from '../engine/package/modelPackage';
import type { ModelCatalog } from '../backend/modelCatalog';
import { formatMegabytes } from '@shared/util/bytes';

export const MODELS_CLI_USAGE = `Usage: npm run models -- list [--json]

  list      the models this studio generates with: the built-in one and those added to the data folder
            (id, name, architecture, size); give an id to \`npm run generate -- "…" --model ID\`
  --json    one JSON array on stdout instead of text`;

export interface ModelListing {
  id: string;
  name: string;
  version: string;
  architecture: string;
  sizeBytes: number;
  builtin: boolean;
  path: string;
}

export interface ModelsCliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The library as `npm run models -- list` shows it; a package that no longer reads is listed under broken. */
export function listModels(catalog: ModelCatalog): { models: ModelListing[]; broken: { id: string; reason: string }[] } {
  const models = catalog.list().map((model) => ({
    id: model.id,
    name: model.name,
    version: model.version,
    architecture: readModelPackage(model.path).manifest.architecture,
    sizeBytes: model.totalBytes,
    builtin: model.builtin,
    path: model.path,
  }));
  return { models, broken: catalog.broken() };
}

/** `npm run models -- …` on a catalog: list (text or JSON). */
export function runModelsCommand(argv: readonly string[], catalog: ModelCatalog): ModelsCliResult {
  const json = argv.includes('--json');
  const rest = argv.filter((arg) => arg !== '--json');
  if (rest.includes('-h') || rest.includes('--help')) {
    return { exitCode: 0, stdout: `${MODELS_CLI_USAGE}\n`, stderr: '' };
  }
  const [command = 'list', ...extra] = rest;
  if (command !== 'list' || extra.length > 0) {
    return { exitCode: 2, stdout: '', stderr: `error: unknown command ${JSON.stringify(rest.join(' '))}.\n\n${MODELS_CLI_USAGE}\n` };
  }
  const { models, broken } = listModels(catalog);
  const brokenLines = broken.map((model) => `warning: the model folder ${model.id} does not read: ${model.reason}\n`).join('');
  if (json) {
    return { exitCode: 0, stdout: `${JSON.stringify(models)}\n`, stderr: brokenLines };
  }
  const lines = models.map((model) => `${model.id}\t${model.name}${model.builtin ? ' (built-in)' : ''}\t${model.architecture}\t${formatMegabytes(model.sizeBytes)}`);
  return { exitCode: 0, stdout: `${['id\tname\tarchitecture\tsize', ...lines].join('\n')}\n`, stderr: brokenLines };
}
