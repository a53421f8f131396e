import path from 'node:path';
import fs from 'node:fs';
import { REFERENCE_IMAGE_MAX_BYTES, type GenerationEvent, type GenerationSummary, type ReferenceRequest, type StudioReference } from '@shared/domain/generation';
import type { JobEvent } from '@shared/domain/studio';
import { StudioError } from '@shared/ipc/errors';
import { ModelCatalog } from '../backend/modelCatalog';
import { StudioBackend } from '../backend/studioBackend';
import { openStudioStore } from '../backend/studioStore';
import type { EngineClient } from '../engine-host/engineClient';
import { settingsFile, type DataFolder } from '../store/dataFolder';
import { OutputsFolderSetting } from '../backend/outputsCopy';
import type { CliOptions } from './args';

export interface RecordedRun {
  runId: string;
  projectId: string | undefined;
  summary: GenerationSummary;
}

export interface RecordedRunContext {
  folder: DataFolder;
  engine: EngineClient;
  onEvent: (event: GenerationEvent) => void;
  /** Called once the job exists: cancels it (Ctrl+C). */
  onCancellable: (cancel: () => void) => void;
  warn: (line: string) => void;
}

/**
 * A CLI generation as the studio makes one: through the same backend and queue, so the run is in the history (the
 * default project or --project), its outputs in the data folder's outputs/<run id>, with a thumbnail.
 */
export async function runRecorded(options: CliOptions, context: RecordedRunContext): Promise<RecordedRun> {
  const { folder } = context;
  const library = new ModelCatalog({ modelsDir: folder.modelsDir });
  const model = resolveModelChoice(library, options.model);
  // A package folder outside the library runs as the catalog's default model; its id and manifest hash are recorded.
  const catalog = model.kind === 'path' ? new ModelCatalog({ modelsDir: folder.modelsDir, builtinDir: () => model.path }) : library;
  const store = openStudioStore(folder, catalog);
  try {
    const project = options.project === undefined ? undefined : store.projects.projects.find(options.project);
    if (options.project !== undefined && !project) {
      const names = store.projects.projects.list().map((p) => p.name);
      throw new StudioError('NOT_FOUND', `No project named “${options.project}”. Projects: ${names.join(', ')}.`);
    }
    const backend = new StudioBackend(context.engine, { outputsDir: folder.outputsDir, runs: store.runs, projects: store.projects, catalog, outputsFolder: new OutputsFolderSetting(settingsFile(folder)) });
    const events: JobEvent[] = [];
    let deliver: (() => void) | undefined;
    backend.onEvent((channel, payload) => {
      if (channel === 'generation.event') {
        events.push(payload as JobEvent);
        deliver?.();
      }
    });
    const { reference, ...request } = options.request;
    const studioReference = reference ? studioReferenceOf(reference, options.extend) : undefined;
    const params = { ...request, ...(studioReference ? { reference: studioReference } : {}), ...(model.kind === 'id' ? { modelId: model.id } : {}), ...(project ? { projectId: project.id } : {}) };
    const { jobId } = (await backend.invoke('generation.start', params)) as { jobId: string };
    context.onCancellable(() => void backend.invoke('generation.cancel', { jobId }));
    const summary = await new Promise<GenerationSummary>((resolve, reject) => {
      deliver = () => {
        for (const { jobId: id, event } of events.splice(0)) {
          if (id !== jobId) {
            continue;
          }
          if (event.kind === 'done') {
            resolve(event.summary);
          } else if (event.kind === 'failed') {
            reject(new StudioError(event.error.code, event.error.message, event.error.detail));
          } else if (event.kind === 'cancelled') {
            reject(new StudioError('CANCELLED', 'Cancelled.'));
          } else if (event.kind === 'not-saved') {
            context.warn(`warning: the run could not be saved in the history yet: ${event.error.message}`);
          } else {
            // Previews arrive base64-encoded on the wire; the progress line reads only their counters.
            context.onEvent(event as GenerationEvent);
          }
        }
      };
      deliver();
    });
    return { runId: jobId, projectId: project?.id ?? store.projects.projects.list().find((p) => p.isDefault)?.id, summary };
  } finally {
    store.runs.close();
  }
}

type ModelChoice = { kind: 'builtin' } | { kind: 'id'; id: string } | { kind: 'path'; path: string };

/** --model: an id of the library wins; anything else is a package folder (the engine names what is wrong with it). */
export function resolveModelChoice(catalog: ModelCatalog, model: string | undefined): ModelChoice {
  if (model === undefined) {
    return { kind: 'builtin' };
  }
  return catalog.list().some((entry) => entry.id === model) ? { kind: 'id', id: model } : { kind: 'path', path: path.resolve(model) };
}

/**
 * The CLI's reference as the studio takes it, so that a recorded run keeps its source as a studio run does: the image
 * goes inline (kept in the run's folder; the studio's size limit applies), --extend names the history's run (its
 * lineage). A clip file on disk has no place in the history: --no-history conditions on it as it is.
 */
function studioReferenceOf(reference: ReferenceRequest, extend: CliOptions['extend']): StudioReference {
  const strength = reference.strength === undefined ? {} : { strength: reference.strength };
  if (reference.kind === 'extend') {
    if (!extend || fs.existsSync(extend.source)) {
      throw new StudioError('INVALID_PARAMS', `--extend ${extend?.source ?? reference.path}: a clip file is not a run of the history; pass --no-history to extend it, or name a run id.`);
    }
    return { kind: 'extend', runId: extend.source, ...strength };
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(reference.path);
  } catch (error) {
    throw new StudioError('INVALID_PARAMS', `--image ${reference.source ?? reference.path} cannot be read: ${(error as Error).message}`);
  }
  if (bytes.length > REFERENCE_IMAGE_MAX_BYTES) {
    throw new StudioError(
      'INVALID_PARAMS',
      `--image ${reference.source ?? reference.path} is ${Math.ceil(bytes.length / 1024)} KiB; a run kept in the history takes images up to ${REFERENCE_IMAGE_MAX_BYTES / 1024} KiB (the studio's limit): pass --no-history to use it as it is, or a smaller file.`,
    );
  }
  return { kind: 'image', fileName: path.basename(reference.path), dataBase64: bytes.toString('base64'), ...strength };
}
