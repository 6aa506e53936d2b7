/**
 * Errors that the CLI maps to exit codes (CLI.md): bad usage or bad input exit 2 with a one-line
 * reason naming the file, row or column at fault; anything else exits 1.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input data: the message must name the file, row or column at fault. */
export class InputError extends Error {
  override name = 'InputError';
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError || error instanceof InputError ? 2 : 1;
}
