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

export { openCorpus } from './open.js';
