/** A problem with what the user typed or configured: exit 2, one clear line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
