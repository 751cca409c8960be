/**
 * Live output counters for a long-running recording's progress line: records
 * handed to the sink (counted by a thin wrapper), and the chunks and
 * compressed bytes the corpus writer has stored so far (RecordSink.stored).
 */
import type { CorpusRecord } from '../event/index.js';
import type { RecordSink, SinkCloseResult } from './types.js';

export interface SinkStats {
  records: number;
  /** Undefined when the sink does not count them (dry run, memory). */
  chunks: number | undefined;
  bytes: number | undefined;
}

/** A sink that counts the records written through it; `stats()` is cheap enough to call a few times a second. */
export class CountedSink implements RecordSink {
  private records = 0;

  constructor(private readonly inner: RecordSink) {}

  write(record: CorpusRecord): void | Promise<void> {
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
    const stored = this.inner.stored?.();
    return { records: this.records, chunks: stored?.chunks, bytes: stored?.bytes };
  }
}
