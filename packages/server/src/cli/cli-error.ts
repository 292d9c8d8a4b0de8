/** A mistake in a command's arguments or inputs: printed as is, with exit code 1 and no stack. */
export class CliError extends Error {
  override name = 'CliError';
}
