import type { ModelSummary } from '../../shared/domain/studio';
import type { ModelUnit } from '../../shared/model/manifest';
import { clipMemoryTable } from '../../shared/model/clipMemory';
import { resolveClip, type ClipSize } from '../../shared/model/clipSize';
import { manifestPasses, manifestWeightsBytes } from '../../shared/model/manifestUnits';
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
  const sizes = (units: readonly ModelUnit[]): Array<{ id: string; sizeBytes: number }> => units.map((unit) => ({ id: unit.id, sizeBytes: unit.sizeBytes }));
  const unitPasses = manifestPasses(manifest);
  const passes = {
    text: sizes(unitPasses.text),
    denoiser: sizes(unitPasses.denoiser),
    denoiserMerged: sizes(unitPasses.denoiserMerged),
    decoder: sizes(unitPasses.decoder),
  };
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    path: dir,
    builtin,
    native: nativeClip(resolveClip(manifest, undefined)),
    clipPresets: manifest.architecture === 'opensora-1.2' ? manifest.clip.presets : null,
    clipMemory: clipMemoryTable(manifest),
    defaults: { steps: manifest.sampler.steps, cfgScale: manifest.sampler.cfgScale },
    passes,
    totalBytes: manifestWeightsBytes(manifest),
  };
}

function nativeClip(clip: ClipSize): ModelSummary['native'] {
  return { frames: clip.frames, height: clip.height, width: clip.width, fps: clip.fps };
}
