import { oneOf } from '../../lib/useStoredState';

/** The workspace's main views, in tab order: the studio (clip, recent runs, queue) and the places of their own. */
export const MAIN_VIEWS = ['studio', 'history', 'compare', 'projects', 'system'] as const;
export type MainView = (typeof MAIN_VIEWS)[number];
export const isMainView = oneOf(MAIN_VIEWS);

export const MAIN_VIEW_LABELS: Record<MainView, string> = {
  studio: 'Studio',
  history: 'History',
  compare: 'Compare',
  projects: 'Projects',
  system: 'System',
};

/** localStorage keys of the layout's remembered choices. */
export const MAIN_VIEW_KEY = 'studio.layout.view.v1';
