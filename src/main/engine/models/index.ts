import type { ModelPackage } from '../package/modelPackage';
import { openStdit3Model } from './stdit3/stdit3Model';
import type { VideoModel } from './videoModel';

export type { DecodedVideo, PreparedPrompt, TextConditioning, VelocityRequest, VelocityResult, VideoModel } from './videoModel';

/** The architecture named by the package's manifest. */
export function openVideoModel(pkg: ModelPackage): VideoModel {
  switch (pkg.manifest.architecture) {
    case 'stdit3':
      return openStdit3Model(pkg);
  }
}
