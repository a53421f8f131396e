import type { StudioGenerateRequest } from '@shared/domain/generation';
import { StudioError } from '@shared/ipc/errors';
import { referenceFrameSupport } from '@shared/model/referenceFrames';
import { preflightRequest } from '../engine/pipeline/settings';
import type { AcceptedRequest } from './generationService';
import type { ModelCatalog } from './modelCatalog';

/**
 * Resolves a transport request to what the engine runs (the registered model's package folder) and checks it
 * against that package (read from disk; no ONNX session is created here).
 */
export function acceptRequest(catalog: ModelCatalog, request: StudioGenerateRequest): AcceptedRequest {
  const { modelId, reference, ...settings } = request;
  const pkg = catalog.resolve(modelId);
  if (reference) {
    const support = referenceFrameSupport(pkg.manifest);
    if (!support.supported) {
      throw new StudioError('INVALID_PARAMS', support.reason);
    }
  }
  // The reference is staged into the job's folder once the job is accepted (GenerationService.stageReference).
  const engineRequest = { ...settings, modelPath: pkg.dir };
  const resolved = preflightRequest(engineRequest, pkg, { conditioned: reference !== undefined });
  return { engineRequest, steps: resolved.steps };
}
