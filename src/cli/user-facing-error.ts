import { UsageError } from './errors.js';

/**
 * Errors that are the user's to fix get one line; anything else is a bug in
 * cfreplay and keeps its stack trace. Library layers throw their own error
 * classes (CorpusError, FunctionLoadError, ...) that carry a `userFacing`
 * marker so the CLI does not have to know every one of them.
 */
export function userFacingError(err: unknown): string | undefined {
  if (err instanceof UsageError) return err.message;
  if (err instanceof Error && (err as Error & { userFacing?: boolean }).userFacing === true) return err.message;
  return undefined;
}
