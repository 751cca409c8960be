export * from './errors.js';
export * from './format.js';
export { encodeColumns, decodeColumns, ColumnsCursor, COLUMNS_VERSION } from './columns.js';
export { encodeChunk, encodeChunkSync, openChunk, decodeChunk, verifyChunk, ChunkDecodeError } from './chunk.js';
export { CorpusFile, openCorpusFile, type ChunkInfo, type CorpusProblem, type CorpusSummary, type ReadOptions } from './reader.js';
export {
  CorpusFileWriter,
  createCorpusWriter,
  DEFAULT_CHUNK_EVENTS,
  type CorpusWriterOptions,
  type CorpusWriteStats,
  type RecordSink,
} from './writer.js';

import { openCorpusFile, type CorpusFile } from './reader.js';

/** Open a corpus by path (Redis URLs join here later). */
export function openCorpus(path: string): Promise<CorpusFile> {
  return openCorpusFile(path);
}
