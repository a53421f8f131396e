/** A model package that cannot be used; `file` is the offending path. */
export class ModelPackageError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ModelPackageError';
  }
}
