import { useEffect, useState } from 'react';
import type { SavedComparison } from '@shared/domain/projects';
import { studio } from '../../ipc/studio';

/** The saved comparisons of a project, newest first, fetched again when projects or comparisons change. */
export function useSavedComparisons(projectId: string): readonly SavedComparison[] {
  const [saved, setSaved] = useState<readonly SavedComparison[]>([]);
  const [revision, setRevision] = useState(0);
  useEffect(() => studio.on('projects.changed', () => setRevision((value) => value + 1)), []);
  useEffect(() => {
    let live = true;
    studio.invoke('comparisons.list', { projectId }).then(
      (list) => live && setSaved(list),
      () => live && setSaved([]),
    );
    return () => {
      live = false;
    };
  }, [projectId, revision]);
  return saved;
}
