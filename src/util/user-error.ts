/**
 * A problem that is the user's to fix (a bad flag, a missing or malformed input, an
 * unreachable server): the CLI prints its message as one line, without a stack trace, and
 * exits with 2. The message names the file, entry or field and what was expected. Each
 * layer's own error classes (CorpusError, FunctionLoadError, ...) extend it, so the CLI
 * need not know them; any other error is a bug in cfreplay and keeps its stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** The mark that survives a copy (a worker's reply, another copy of this module): what userErrorMessage reads. */
  readonly userFacing = true;
}

/** The one-line message of an error that is the user's to fix, or undefined for anything else. */
export function userErrorMessage(err: unknown): string | undefined {
  return err instanceof Error && (err as Error & { userFacing?: unknown }).userFacing === true ? err.message : undefined;
}
