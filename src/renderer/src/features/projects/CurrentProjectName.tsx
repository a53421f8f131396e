import { useCurrentProjectId } from './currentProject';
import { useProjects } from './useProjects';

/** The current project's name (where new runs go), for the workspace's navigation. */
export function CurrentProjectName(): React.JSX.Element | null {
  const currentId = useCurrentProjectId();
  const { state } = useProjects();
  const name = state.projects.find((project) => project.id === currentId)?.name;
  return name ? (
    <span className="tab-detail" data-testid="current-project-name">
      {name}
    </span>
  ) : null;
}
