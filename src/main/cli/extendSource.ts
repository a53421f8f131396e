import fs from 'node:fs';
import path from 'node:path';
import type { ReferenceRequest } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import { ModelCatalog } from '../backend/modelCatalog';
import { openStudioStore } from '../backend/studioStore';
import type { DataFolder } from '../store/dataFolder';

/**
 * --extend: a clip on disk (GIF or a folder of PNG frames) as it is, else a run id of the history, read from that
 * run's outputs (its PNG frames, else its GIF). Refuses, naming what it looked for, before any job starts.
 */
export function resolveExtendReference(extend: { source: string; strength: number | undefined }, folder: DataFolder): ReferenceRequest {
  const strength = extend.strength === undefined ? {} : { strength: extend.strength };
  if (fs.existsSync(extend.source)) {
    return { kind: 'extend', path: path.resolve(extend.source), source: extend.source, ...strength };
  }
  const store = openStudioStore(folder, new ModelCatalog({ modelsDir: folder.modelsDir }));
  try {
    const run = store.runs.history.get(extend.source);
    if (!run) {
      throw new StudioError('NOT_FOUND', `--extend ${extend.source}: no such file or folder, and no run with that id in the history.`);
    }
    const clip = run.outputs.find((output) => output.endsWith('-frames') && fs.existsSync(output)) ?? run.outputs.find((output) => /\.gif$/i.test(output) && fs.existsSync(output));
    if (!clip) {
      throw new StudioError('NOT_FOUND', `Run ${run.id} (${run.status}) has no frames or GIF on disk to extend.`);
    }
    return { kind: 'extend', path: clip, source: `run ${run.id}`, ...strength };
  } finally {
    store.runs.close();
  }
}
