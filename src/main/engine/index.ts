/** The engine's public surface. Hosts (engine process, CLI, tests) import only from here. */
export { getSystemInfo } from './system/systemInfo';
export { locateBuiltinModel, locateModelsDir } from './paths';
