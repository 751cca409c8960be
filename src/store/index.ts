export * from './errors.js';
export * from './format.js';
export { encodeColumns, decodeColumns, ColumnsCursor, COLUMNS_VERSION } from './columns.js';
export { encodeChunk, openChunk, decodeChunk, verifyChunk, ChunkDecodeError } from './chunk.js';
export { CorpusFile, openCorpusFile } from './reader.js';
export {
  CorpusFileWriter,
  createCorpusWriter,
  DEFAULT_CHUNK_EVENTS,
  type CorpusWriterOptions,
  type CorpusWriteStats,
} from './writer.js';

export type { ChunkInfo, Corpus, CorpusProblem, CorpusSummary, DroppedChunk, ReadOptions } from './corpus.js';

import { openCorpusFile } from './reader.js';
import type { Corpus } from './corpus.js';

/**
 * Open a corpus by path, or in Redis by URL and name
 * (`redis://[user:password@]host:port/db#name`, `rediss://` for TLS).
 */
export async function openCorpus(path: string): Promise<Corpus> {
  if (/^rediss?:\/\//i.test(path)) {
    const { openRedisCorpus } = await import('./redis/corpus.js');
    return openRedisCorpus(path);
  }
  return openCorpusFile(path);
}
