import { UserError } from '../util/user-error.js';

/**
 * Store errors are user errors: the CLI prints their message as one line (no
 * stack) and exits 2. Messages always name the file and the place.
 */
export class CorpusError extends UserError {
  override name = 'CorpusError';
}

/** One chunk failed its checksum or could not be decoded; the rest of the corpus is still readable. */
export class CorruptChunkError extends CorpusError {
  override name = 'CorruptChunkError';

  constructor(
    readonly file: string,
    readonly chunk: number,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file}: chunk ${chunk} at byte ${offset} is corrupt (${reason}); its events are skipped, the other chunks are readable`);
  }
}

/** A chunk the index lists is not there (a Redis chunk deleted or expired while the corpus was read). */
export class MissingChunkError extends CorpusError {
  override name = 'MissingChunkError';

  constructor(
    readonly where: string,
    readonly chunk: number,
    readonly reason: string,
  ) {
    super(`${where}: chunk ${chunk} ${reason}`);
  }
}
