/**
 * What an Open-Sora 1.2 manifest holds besides its units (models/FORMAT.md, "Open-Sora 1.2 packages"), from
 * upstream at tag v1.2.0: presets from `opensora/datasets/aspect.py` (upstream keys height:width, so its "9:16" is
 * 16:9 here) and NUM_FRAMES_MAP (2 s = 51 frames, 4 s = 102; images conditioned with fps 120, videos 24); sampler
 * defaults from `configs/opensora-v1-2/inference/sample.py` (30 steps, CFG 7, rflow's timestep transform with
 * base resolution 512², base frames 1, scale 1); VAE chunking from `opensora/models/vae/vae.py`.
 */
const RESOLUTIONS: [string, Record<string, [number, number]>][] = [
  ['144p', { '16:9': [256, 144], '9:16': [144, 256], '1:1': [192, 192] }],
  ['240p', { '16:9': [426, 240], '9:16': [240, 426], '1:1': [320, 320] }],
  ['360p', { '16:9': [640, 360], '9:16': [360, 640], '1:1': [480, 480] }],
  ['480p', { '16:9': [854, 480], '9:16': [480, 854], '1:1': [640, 640] }],
];
const DURATIONS: [string, number, number][] = [
  ['image', 1, 120],
  ['2s', 51, 24],
  ['4s', 102, 24],
];
export const VIDEO_FPS = 24;
export const SAMPLER = { steps: 30, cfgScale: 7.0, numTimesteps: 1000 };

/** Clip presets; latent sizes are floor(pixels / spatial factor), as upstream. */
export function clipPresets(spatialFactor: number): Record<string, unknown> {
  return {
    resolutions: RESOLUTIONS.map(([name, sizes]) => ({
      name,
      aspects: Object.entries(sizes).map(([aspect, [width, height]]) => ({
        aspect,
        width,
        height,
        latentWidth: Math.floor(width / spatialFactor),
        latentHeight: Math.floor(height / spatialFactor),
      })),
    })),
    durations: DURATIONS.map(([name, frames, conditioningFps]) => ({ name, frames, conditioningFps })),
    default: { resolution: '144p', aspect: '16:9', duration: '2s' },
  };
}

export function chunkLatentFrames(chunkFrames: number, timeFactor: number): number {
  return Math.ceil(chunkFrames / timeFactor);
}

/** The tokenizer's prompt preparation ends with the aesthetic score of sample.py (aes 6.5). */
export const PROMPT_SUFFIX = ' aesthetic score: 6.5.';

/** A package id from a display name, as the Python importer derives it. */
export function packageId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  return slug || 'opensora-1.2';
}
