import { UserError } from '../util/user-error.js';

/**
 * A mistake in the command line (bad flag, missing file, malformed input): a UserError, so
 * the CLI prints its message as one line, without a stack trace, and exits with 2.
 * The message must name the file, entry or field and what was expected.
 */
export class UsageError extends UserError {
  override name = 'UsageError';
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Differences found, a threshold exceeded, or the function itself failed. */
export const EXIT_DIFFERENCES = 1;
/** Usage or input error. */
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C / SIGTERM (128 + SIGINT, as shells report it); partial reports were written. */
export const EXIT_INTERRUPTED = 130;
