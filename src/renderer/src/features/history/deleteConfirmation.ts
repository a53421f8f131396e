import { createContext, useContext } from 'react';

/**
 * Which history row asks "Delete?". The panel keeps it, not the row: the virtualized body re-creates rows when a
 * block of entries is fetched again (another run finished, a thumbnail arrived), and a row's own state would be lost
 * with the question half-asked.
 */
export interface DeleteConfirmation {
  readonly entryId: string | null;
  readonly setEntryId: (entryId: string | null) => void;
}

export const DeleteConfirmationContext = createContext<DeleteConfirmation>({ entryId: null, setEntryId: () => undefined });

/** Whether this entry's row asks now, and how to ask or stop asking. */
export function useDeleteConfirmation(entryId: string): [boolean, (confirming: boolean) => void] {
  const confirmation = useContext(DeleteConfirmationContext);
  return [confirmation.entryId === entryId, (confirming) => confirmation.setEntryId(confirming ? entryId : null)];
}
