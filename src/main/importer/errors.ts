/**
 * A problem with the user's files: the message names the file (and the key or entry) and what is wrong. The
 * importer's callers turn it into exit code 2 (CLI) or INVALID_PARAMS (studio); nothing is written.
 */
export class ImportRefused extends Error {
  override readonly name = 'ImportRefused';
}

/** The user cancelled the import; the half-built package has been removed. */
export class ImportCancelled extends Error {
  override readonly name = 'ImportCancelled';
}
