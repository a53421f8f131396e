import { formatTimestamp } from '../history/historyFormat';
import { setCurrentProjectId, useCurrentProjectId } from './currentProject';
import { useProjects } from './useProjects';

/** Every project with what it holds; one is current (new runs go there), another is one click away. */
export function ProjectList({ onShowHistory }: { onShowHistory: () => void }): React.JSX.Element {
  const { state } = useProjects();
  const currentId = useCurrentProjectId();
  return (
    <section className="panel" aria-labelledby="project-list-heading" data-testid="project-list">
      <h2 id="project-list-heading">All projects</h2>
      <table className="mini-table project-table">
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Runs</th>
            <th scope="col">Comparisons</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {state.projects.map((project) => {
            const current = project.id === currentId;
            return (
              <tr key={project.id} data-testid="project-row" data-project-id={project.id} aria-current={current ? 'true' : undefined}>
                <th scope="row">
                  {project.name}
                  {current ? <span className="muted"> (current)</span> : null}
                </th>
                <td>{project.runCount}</td>
                <td>{project.comparisonCount}</td>
                <td>{formatTimestamp(project.createdAtMs)}</td>
                <td>
                  {current ? (
                    <button type="button" className="link" onClick={onShowHistory}>
                      Its history
                    </button>
                  ) : (
                    <button type="button" aria-label={`Make “${project.name}” the current project`} onClick={() => setCurrentProjectId(project.id)}>
                      Make current
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
