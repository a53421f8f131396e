import type { UnitPasses } from '@shared/model/unitPasses';
import type { StreamUnit, UnitStreamer } from '../streaming/unitStreamer';

/**
 * Between jobs of a persistent session the decoder's sessions give way to the denoiser's resident prefix, which
 * the next job's first step needs at once; the text encoder is not reloaded before a new prompt asks for it
 * (docs/techniques.md §CI-DL, the warm engine).
 */
export async function keepWarm(streamer: UnitStreamer, units: UnitPasses<StreamUnit>): Promise<void> {
  await streamer.releaseUnits(units.decoder.map((unit) => unit.id));
  await streamer.preloadResidentPrefix(units.denoiser);
}
