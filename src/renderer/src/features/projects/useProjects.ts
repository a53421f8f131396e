import { useCallback, useEffect, useState } from 'react';
import type { Project } from '@shared/domain/projects';
import { describeError, studio } from '../../ipc/studio';
import { currentProjectId, setCurrentProjectId } from './currentProject';

export type ProjectsState = { kind: 'loading'; projects: Project[] } | { kind: 'ready'; projects: Project[] } | { kind: 'error'; projects: Project[]; message: string };

/** The projects with their counts, fetched again whenever projects or the history change. */
export function useProjects(): { state: ProjectsState; refresh: () => void } {
  const [state, setState] = useState<ProjectsState>({ kind: 'loading', projects: [] });
  const [revision, setRevision] = useState(0);
  const refresh = useCallback(() => setRevision((value) => value + 1), []);
  useEffect(() => {
    const offProjects = studio.on('projects.changed', refresh);
    const offHistory = studio.on('history.changed', refresh);
    return () => {
      offProjects();
      offHistory();
    };
  }, [refresh]);
  useEffect(() => {
    let live = true;
    studio.invoke('projects.list', {}).then(
      (projects) => {
        if (!live) {
          return;
        }
        setState({ kind: 'ready', projects });
        // A current project deleted elsewhere falls back to the default one.
        if (!projects.some((project) => project.id === currentProjectId())) {
          setCurrentProjectId(projects.find((project) => project.isDefault)?.id ?? 'default');
        }
      },
      (reason: unknown) => live && setState((current) => ({ kind: 'error', projects: current.projects, message: describeError(reason).message })),
    );
    return () => {
      live = false;
    };
  }, [revision]);
  return { state, refresh };
}
