/**
 * What became of this thread's code cache (util/code-cache.ts loads a bundle file with it), for
 * the code that file holds: the trace (util/trace.ts) and the points where the cache is written
 * in the build's cache-making run. A module of its own, without imports, so that those read it
 * without loading the loader; the record is a global of the thread (the loader and the bundle
 * file it runs each hold their own copy of this module).
 */

/** used: V8 took the cache; rejected: V8 refused it (other V8 flags: compiled from source); damaged: its checksum failed; absent; off: CFREPLAY_CODE_CACHE=off; writing: the build's cache-making run. */
export type CodeCacheState = 'used' | 'rejected' | 'damaged' | 'absent' | 'off' | 'writing';

export interface CodeCacheRecord {
  /** The bundle file's name (bundle/<name>.cjs). */
  name: string;
  state: CodeCacheState;
  /** Writes the cache (the cache-making run only). */
  checkpoint?: () => void;
}

const RECORD = Symbol.for('cfreplay.code-cache');

export function setCodeCacheRecord(r: CodeCacheRecord): void {
  (globalThis as { [RECORD]?: CodeCacheRecord })[RECORD] = r;
}

/** What became of this thread's bundle cache (undefined: the thread does not run a bundle's CommonJS file). */
export function codeCacheState(): CodeCacheState | undefined {
  return (globalThis as { [RECORD]?: CodeCacheRecord })[RECORD]?.state;
}

/**
 * The point at which this thread has compiled what its next runs will need (a replay worker
 * after its first chunk, the CLI after its command): in the build's cache-making run, the
 * cache is written now (once per thread). Otherwise nothing.
 */
export function codeCacheCheckpoint(): void {
  (globalThis as { [RECORD]?: CodeCacheRecord })[RECORD]?.checkpoint?.();
}
