import type { DataFolder } from '../store/dataFolder';
import { openRunStore, type RunStore } from '../store/runStore';
import type { ModelCatalog } from './modelCatalog';
import { ProjectsService } from './projectsService';

/** The run history and the projects kept on one data folder's database. */
export interface StudioStore {
  runs: RunStore;
  projects: ProjectsService;
}

/**
 * Opens the data folder's database (upgrading its schema) for the run history and the projects. A run whose model is
 * not in the catalog at start is listed as such (e.g. one that came in with an imported project).
 */
export function openStudioStore(folder: DataFolder, catalog: ModelCatalog): StudioStore {
  const installed = new Set(catalog.list().map((model) => model.id));
  const isModelInstalled = (modelId: string): boolean => installed.has(modelId);
  const runs = openRunStore(folder.databasePath, { isModelInstalled });
  try {
    return { runs, projects: new ProjectsService({ db: runs.db, folder, isModelInstalled }) };
  } catch (error) {
    runs.close();
    throw error;
  }
}
