import { StudioError } from '@shared/ipc/errors';

/** SQLite result codes that mean "the file cannot be written now" (locked, disk full, read-only, I/O), not a bug. */
const STORAGE_FAULTS: Array<[prefix: string, reason: string]> = [
  ['SQLITE_BUSY', 'the database file is locked by another program'],
  ['SQLITE_LOCKED', 'the database file is locked by another program'],
  ['SQLITE_FULL', 'the disk is full'],
  ['SQLITE_READONLY', 'the database file is read-only'],
  ['SQLITE_IOERR', 'the disk reported an I/O error'],
  ['SQLITE_CANTOPEN', 'the database file cannot be opened'],
  ['SQLITE_PROTOCOL', 'the database file is locked by another program'],
];

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Why a storage operation failed, in words, or undefined when the error is not a storage fault. */
export function storageFaultReason(error: unknown): string | undefined {
  const code = sqliteCode(error);
  return code ? STORAGE_FAULTS.find(([prefix]) => code.startsWith(prefix))?.[1] : undefined;
}

/** The typed error for a storage fault: names the file, the reason and the SQLite code. */
export function storageUnavailable(fileName: string, error: unknown, consequence: string): StudioError {
  const reason = storageFaultReason(error) ?? 'the database reported an error';
  return new StudioError('STORAGE_UNAVAILABLE', `The prompt history (${fileName}) could not be written: ${reason}. ${consequence}`, sqliteCode(error));
}

/**
 * Runs a call the user waits on (a list, a delete); a storage fault becomes STORAGE_UNAVAILABLE (the studio keeps
 * serving), anything else is rethrown.
 */
export function orStorageError<T>(fileName: string, action: 'read' | 'changed', call: () => T): T {
  try {
    return call();
  } catch (error) {
    const reason = storageFaultReason(error);
    if (reason) {
      throw new StudioError('STORAGE_UNAVAILABLE', `The prompt history (${fileName}) could not be ${action}: ${reason}. Try again when it is available.`, sqliteCode(error));
    }
    throw error;
  }
}
