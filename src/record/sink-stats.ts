/**
 * Live output counters for a long-running recording's progress line: records
 * handed to the sink (counted by a thin wrapper), and the chunks and
 * compressed bytes the corpus writer has stored so far.
 */
import type { RecordedExchange } from '../event/index.js';
import type { RecordSink, SinkCloseResult } from './types.js';

export interface SinkStats {
  records: number;
  /** Undefined when the sink does not count them (dry run, memory). */
  chunks: number | undefined;
  bytes: number | undefined;
}

/**
 * The writer's running chunk and byte counts. The corpus writers (file and
 * Redis, src/store/chunk-pipeline.ts) keep them as `chunksWritten` and
 * `bytesWritten` but declare them protected, and store/ is not ours to
 * change; they are read by name here, and a sink without them simply shows
 * no chunk/byte figures. (A public getter on ChunkPipeline would be the
 * proper interface; test/record/proxy-progress.test.ts fails if the names
 * change.)
 */
export function storedSoFar(sink: object): { chunks: number; bytes: number } | undefined {
  if (!('chunksWritten' in sink) || !('bytesWritten' in sink)) return undefined;
  const { chunksWritten, bytesWritten } = sink;
  return typeof chunksWritten === 'number' && typeof bytesWritten === 'number' ? { chunks: chunksWritten, bytes: bytesWritten } : undefined;
}

/** A sink that counts the records written through it; `stats()` is cheap enough to call a few times a second. */
export class CountedSink implements RecordSink {
  private records = 0;

  constructor(private readonly inner: RecordSink) {}

  write(record: RecordedExchange): void | Promise<void> {
    this.records++;
    return this.inner.write(record);
  }

  close(): Promise<SinkCloseResult> {
    return this.inner.close();
  }

  abort(): Promise<void> {
    return this.inner.abort();
  }

  stats(): SinkStats {
    const stored = storedSoFar(this.inner);
    return { records: this.records, chunks: stored?.chunks, bytes: stored?.bytes };
  }
}
