/** A command-line mistake: printed with the command's help hint, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
