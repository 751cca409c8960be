/** Sinks that need no storage backend: for tests, dry runs and library users. */
import type { CorpusRecord } from '../event/index.js';
import { decodeChunk, verifyChunk } from '../store/index.js';
import type { RecordSink, SinkCloseResult } from './types.js';

/** Keeps every record in memory; bytesWritten counts their JSON size. */
export class MemorySink implements RecordSink {
  records: CorpusRecord[] = [];
  state: 'open' | 'closed' | 'aborted' = 'open';
  private bytes = 0;

  write(record: CorpusRecord): void {
    if (this.state !== 'open') throw new Error(`MemorySink: write after ${this.state}`);
    this.records.push(record);
    this.bytes += Buffer.byteLength(JSON.stringify(record));
  }

  /** Chunks encoded elsewhere (recording workers) are decoded back into records. */
  async appendFramed(framed: Uint8Array): Promise<void> {
    for (const record of decodeChunk(framed)) this.write(record);
  }

  async close(): Promise<SinkCloseResult> {
    if (this.state !== 'open') throw new Error(`MemorySink: close after ${this.state}`);
    this.state = 'closed';
    return { events: this.records.length, bytesWritten: this.bytes };
  }

  async abort(): Promise<void> {
    this.state = 'aborted';
    this.records = [];
  }
}

/** Discards records, counts them (e.g. `--dry-run`). */
export class CountingSink implements RecordSink {
  events = 0;
  write(): void {
    this.events++;
  }
  async appendFramed(framed: Uint8Array): Promise<void> {
    this.events += verifyChunk(framed).events;
  }
  async close(): Promise<SinkCloseResult> {
    return { events: this.events, bytesWritten: 0 };
  }
  async abort(): Promise<void> {}
}
