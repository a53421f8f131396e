// Shared with the engine's outputs.
export { defaultExportScale, upscaleNearest } from '@shared/media/pixels';
