/**
 * Input the user has to fix (missing file, bad flag value, unreadable
 * capture). The CLI prints the message on one line and exits 2; the message
 * names the file and the place.
 */
import { UserError } from '../util/user-error.js';
export class InputError extends UserError {
  override name = 'InputError';
}
