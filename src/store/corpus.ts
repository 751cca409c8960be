/**
 * What every command sees of a corpus, wherever it lives: a `.cfr` file
 * (CorpusFile) or a corpus in Redis (RedisCorpus). Both hand out the same
 * framed chunks, so replay, inspect, cat and the copy commands do not care
 * which one they hold.
 */
import type { CorpusRecord } from '../event/connection.js';
import type { ColumnsCursor } from './columns.js';
import { CorruptChunkError } from './errors.js';

export interface ChunkInfo {
  index: number;
  /** Byte offset of the framed chunk (header + payload) in the file. */
  offset: number;
  /** Length of the framed chunk. */
  length: number;
  events: number;
  minTime: number;
  maxTime: number;
}

/**
 * What kind of damage opening found. `inspect` names it, replay counts it
 * against the `completed` gate check, `cat` reports it on stderr.
 * - unfinished: no index and no trailer: the recording stopped (crash or kill) before close();
 * - cut-short: the last chunk is incomplete (the file was cut inside it): its events are lost;
 * - unreadable: bytes that are neither a chunk nor the index (a damaged chunk header), skipped;
 * - appended: bytes after a complete corpus (index and trailer intact);
 * - damaged-index: the index is cut short or fails its checksum (chunks found by scanning);
 * - damaged-trailer: the index is intact but the trailer after it is damaged or cut short;
 * - incomplete / damaged-index-entry: the Redis counterparts;
 * - dropped: a chunk the copy this file was made from (`pull`) could not take, listed in the index.
 */
export type CorpusProblemKind =
  | 'unfinished'
  | 'cut-short'
  | 'unreadable'
  | 'appended'
  | 'damaged-index'
  | 'damaged-trailer'
  | 'incomplete'
  | 'damaged-index-entry'
  | 'dropped';

/** Something wrong found while opening (not while decoding a chunk). */
export interface CorpusProblem {
  kind: CorpusProblemKind;
  offset: number;
  message: string;
  /** Events known to be lost by this damage (0: none); absent when nobody can tell. */
  lostEvents?: number;
}

export interface CorpusSummary {
  path: string;
  formatVersion: number;
  meta: Record<string, unknown>;
  chunks: readonly ChunkInfo[];
  events: number;
  /** True when the index was written: the recording finished cleanly. */
  complete: boolean;
  /** Where chunk data ends (the index starts here in a complete file). */
  dataEnd: number;
  fileBytes: number;
  problems: readonly CorpusProblem[];
}

export interface ReadOptions {
  /** Called for each chunk that fails its checksum or decoding; reading goes on with the next. */
  onCorruptChunk?: (error: CorruptChunkError) => void;
  /** Only these chunk indexes (default: all). */
  chunks?: readonly number[];
}

/** A chunk of the source that a copy (`pull`) could not take: kept in the index so the damage stays visible. */
export interface DroppedChunk {
  /** Where it was: the source corpus, its chunk number, byte offset and why. */
  from: string;
  chunk: number;
  offset: number;
  events: number;
  reason: string;
}

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
