/**
 * Pure rectified-flow sampler math for the engine: schedule, CFG and Euler/leap updates, LPL policy,
 * TDTM step rule, seeded noise, position tables and latent previews. No I/O, no onnxruntime.
 */
export type { LatentShape } from './types';
export { latentElementCount } from './types';
export type { ClipGeometry, TimestepScheduleOptions } from './schedule';
export { computeTimesteps, eulerStepSizes, noiseLevelAt, shiftTimestep, timestepShiftFactor } from './schedule';
export type { GuidanceOptions } from './guidance';
export { combineGuidedVelocityInto, estimateCleanLatentInto, eulerStepInPlace, leapToDataInPlace } from './guidance';
export { cosineSimilarityFullLatent, cosineSimilarityPaperSlice, meanRowCosine } from './cosine';
export type {
  LplComparison,
  LplController,
  LplDynamicState,
  LplLeapReason,
  LplObservation,
  LplPolicy,
} from './lpl';
export {
  DEFAULT_DYNAMIC_LPL_POLICY,
  createLplController,
  defaultFixedLplPolicy,
  validateLplPolicy,
} from './lpl';
export { isMergedStep, mergedFrameCount, validateMergedSteps } from './tdtm';
export type { MaskStrategyEntry, PlacedFrames, ReferenceLatent } from './maskStrategy';
export { applyMaskStrategy, MASK_STRATEGY_DEFAULTS, parseMaskStrategy } from './maskStrategy';
export type { FrameConditioner, FrameStep } from './frameConditioning';
export { createFrameConditioner } from './frameConditioning';
export type { GaussianSource } from './random';
export { createGaussianSource, standardNormalNoise } from './random';
export type { PatchGrid, PosEmbed2dOptions } from './posEmbed';
export { computePosEmbed2d, patchGridOf, posEmbedBaseSize, posEmbedScale } from './posEmbed';
export type { RopeTableOptions, RopeTables } from './rope';
export { computeRopeTables } from './rope';
export type { LatentPreviewProjection } from './preview';
export { latentToRgbaFrames } from './preview';
export { roundHalfToEven } from './rounding';
