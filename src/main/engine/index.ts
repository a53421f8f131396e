/** The engine's public surface. Hosts (engine process, CLI, tests) import only from here. */
export { getSystemInfo } from './system/systemInfo';
export { locateBuiltinModel, locateModelsDir } from './paths';
export { generateVideo, type FinishSwitch, type GenerateOptions, type GenerateResult } from './pipeline/generateVideo';
export { EngineSession } from './pipeline/engineSession';
export { MemoryPressureWatch, type MemoryPressureRelease } from './pipeline/memoryPressure';
export { readModelPackage, type ModelPackage } from './package/modelPackage';
export { checkPackageFolder } from './package/checkUnits';
export type { RgbaClip } from './output/frames';
