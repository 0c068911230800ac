/** A problem with what the user typed or configured: exit 2, one clear line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A run that ends before any job is watched, with its own exit code (a deadline passed). */
export class EndedError extends Error {
  override name = 'EndedError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
