/**
 * What every command sees of a corpus, wherever it lives: a `.cfr` file
 * (CorpusFile) or a corpus in Redis (RedisCorpus). Both hand out the same
 * framed chunks, so replay, inspect, cat and the copy commands do not care
 * which one they hold.
 */
import type { CorpusRecord } from '../event/connection.js';
import type { ColumnsCursor } from './columns.js';
import { CorruptChunkError } from './errors.js';
import type { ChunkInfo, CorpusSummary, ReadOptions } from './reader.js';

export interface Corpus {
  /** Where the corpus is, as shown to the user (file path, or Redis URL + name with the password hidden). */
  readonly path: string;
  /** Short name for reports (file name, or the Redis corpus name). */
  readonly name?: string;
  readonly events: number;
  readonly chunks: readonly ChunkInfo[];
  /** False while a recording is still writing it, or when it never finished. */
  readonly complete: boolean;
  summary(): CorpusSummary;
  /** The framed bytes of one chunk (header + compressed payload), undecoded. */
  readFramedChunk(index: number): Promise<Buffer>;
  /** A record cursor over one chunk; throws CorruptChunkError. */
  openChunk(index: number): Promise<ColumnsCursor>;
  records(options?: ReadOptions): AsyncGenerator<CorpusRecord>;
  /** The record at a global position (0-based), or undefined past the end. */
  recordAt(position: number): Promise<CorpusRecord | undefined>;
  verify(): Promise<CorruptChunkError[]>;
  close(): Promise<void>;
}

/** `records()` over any chunk opener (shared by the non-file corpora). */
export async function* recordsOf(
  corpus: Pick<Corpus, 'chunks' | 'openChunk'>,
  options: ReadOptions = {},
): AsyncGenerator<CorpusRecord> {
  const indexes = options.chunks ?? corpus.chunks.map((c) => c.index);
  for (const i of indexes) {
    let cursor: ColumnsCursor;
    try {
      cursor = await corpus.openChunk(i);
    } catch (e) {
      if (e instanceof CorruptChunkError && options.onCorruptChunk !== undefined) {
        options.onCorruptChunk(e);
        continue;
      }
      throw e;
    }
    for (let r = cursor.next(); r !== undefined; r = cursor.next()) yield r;
  }
}

/** `verify()` over any chunk opener. */
export async function verifyAll(corpus: Pick<Corpus, 'chunks' | 'openChunk'>): Promise<CorruptChunkError[]> {
  const bad: CorruptChunkError[] = [];
  for (const c of corpus.chunks) {
    try {
      const cursor = await corpus.openChunk(c.index);
      while (cursor.next() !== undefined);
    } catch (e) {
      if (e instanceof CorruptChunkError) bad.push(e);
      else throw e;
    }
  }
  return bad;
}

/** `recordAt()` over any chunk opener. */
export async function recordAtOf(corpus: Pick<Corpus, 'chunks' | 'openChunk'>, position: number): Promise<CorpusRecord | undefined> {
  let base = 0;
  for (const c of corpus.chunks) {
    if (position < base + c.events) {
      const cursor = await corpus.openChunk(c.index);
      let r = cursor.next();
      for (let k = base; k < position; k++) r = cursor.next();
      return r;
    }
    base += c.events;
  }
  return undefined;
}
