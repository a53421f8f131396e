import type { ClipSize } from '@shared/model/clipSize';
import type { ModelPackage } from '../package/modelPackage';
import { openOpenSoraModel } from './opensora/openSoraModel';
import { openStdit3Model } from './stdit3/stdit3Model';
import type { OpenModelOptions, VideoModel } from './videoModel';

export type { DecodedVideo, OpenModelOptions, PreparedPrompt, TextConditioning, VelocityRequest, VelocityResult, VideoModel } from './videoModel';

/** The architecture named by the package's manifest, set up for one clip size (resolveClip). */
export async function openVideoModel(pkg: ModelPackage, clip: ClipSize, options: OpenModelOptions = {}): Promise<VideoModel> {
  const { manifest } = pkg;
  switch (manifest.architecture) {
    case 'stdit3':
      return openStdit3Model({ ...pkg, manifest }, clip, options);
    case 'opensora-1.2':
      return openOpenSoraModel({ ...pkg, manifest }, clip, options);
  }
}
