import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelSummary } from '../../shared/domain/studio';
import type { ModelUnit } from '../../shared/model/manifest';
import { readModelPackage } from '../engine/package/modelPackage';
import { locateBuiltinModel } from '../engine/paths';

/** Lists the models the studio can run (the built-in package for now), with unit sizes for the forecast. */
export function listModels(): ModelSummary[] {
  const builtinPath = locateBuiltinModel();
  try {
    return [summarize(builtinPath, true)];
  } catch {
    // A missing or broken built-in package shows up as an empty list; generation then reports the exact error.
    return [];
  }
}

function summarize(dir: string, builtin: boolean): ModelSummary {
  const { manifest } = readModelPackage(dir);
  const sizes = (units: ModelUnit[]): Array<{ id: string; sizeBytes: number }> => units.map((unit) => ({ id: unit.id, sizeBytes: unit.sizeBytes }));
  const passes = {
    text: sizes([manifest.text.embed, ...manifest.text.blocks, manifest.text.final]),
    denoiser: sizes([manifest.denoiser.embedder, ...manifest.denoiser.blocks.map((pair) => pair.unit), manifest.denoiser.final]),
    denoiserMerged: sizes([manifest.denoiser.embedder, ...manifest.denoiser.blocks.map((pair) => pair.tdtm), manifest.denoiser.final]),
    decoder: sizes([manifest.decoder.unit]),
  };
  // TDTM variants share their block's weight file: count each file once.
  const byFile = new Map<string, number>();
  for (const unit of [manifest.text.embed, ...manifest.text.blocks, manifest.text.final, manifest.denoiser.embedder, ...manifest.denoiser.blocks.map((pair) => pair.unit), manifest.denoiser.final, manifest.decoder.unit]) {
    byFile.set(unit.weightsFile ?? unit.file, unit.sizeBytes);
  }
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    path: dir,
    builtin,
    native: manifest.native,
    defaults: { steps: manifest.sampler.steps, cfgScale: manifest.sampler.cfgScale },
    passes,
    totalBytes: [...byFile.values()].reduce((sum, bytes) => sum + bytes, 0),
  };
}

/** SHA-256 (hex) of a model package's manifest.json: which exact package made a run. Null when it cannot be read. */
export function manifestHash(modelPath: string): string | null {
  try {
    return createHash('sha256').update(fs.readFileSync(path.join(modelPath, 'manifest.json'))).digest('hex');
  } catch {
    return null;
  }
}
