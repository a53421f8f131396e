import type { GenerateRequest } from '../../shared/domain/generation';
import { StudioError } from '../../shared/ipc/errors';
import { readModelPackage } from '../engine/package/modelPackage';
import { preflightRequest } from '../engine/pipeline/settings';
import { locateBuiltinModel } from '../engine/paths';

/** Checks a request against its model package (read from disk; no ONNX session is created here). */
export function preflight(request: GenerateRequest): void {
  let pkg;
  try {
    pkg = readModelPackage(request.modelPath ?? locateBuiltinModel());
  } catch (error) {
    throw new StudioError('MODEL_INVALID', (error as Error).message);
  }
  preflightRequest(request, pkg);
}
