import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds the repository's models/ folder from wherever this module was loaded: src/main/engine (tests) or a
 * bundled chunk under out/main (app, server, CLI). STUDIO_MODELS_DIR overrides it (packaged app).
 */
export function locateModelsDir(): string {
  const override = process.env.STUDIO_MODELS_DIR;
  if (override) {
    return path.resolve(override);
  }
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = path.join(dir, 'models');
    if (fs.existsSync(path.join(candidate, 'runtime-check', 'runtime-check.onnx'))) {
      return candidate;
    }
    dir = path.dirname(dir);
  }
  throw new Error('Cannot find the models/ folder next to the studio; set STUDIO_MODELS_DIR.');
}

export function locateRuntimeCheckModel(): string {
  return path.join(locateModelsDir(), 'runtime-check', 'runtime-check.onnx');
}

/** The built-in model package shipped in models/. */
export function locateBuiltinModel(): string {
  return path.join(locateModelsDir(), 'shapes-tiny');
}
