/**
 * What every corpus writer does before its storage differs: buffer records
 * into chunks, encode and compress each off the main thread (libuv pool),
 * store them strictly in order, make the caller wait only when too many
 * chunks are in the pipeline, copy framed chunks bit for bit, and (live
 * capture) write out a partial chunk when it has waited long enough. The
 * file and Redis writers only say how one framed chunk is stored.
 */
import type { CorpusRecord } from '../event/connection.js';
import { ColumnsEncoder } from './columns.js';
import { encodeChunkOf, verifyChunk } from './chunk.js';
import { CorpusError } from './errors.js';
import { readChunkHeader, type ChunkHeader } from './format.js';

export interface PipelineOptions {
  /** Records per chunk. */
  chunkEvents: number;
  /** Chunks encoding or being stored before write() asks the caller to wait. */
  maxQueued: number;
  /** Write out a partial chunk this long after the last write-out (ms; live capture). */
  flushIntervalMs?: number;
}

export abstract class ChunkPipeline {
  /** The chunk being filled: records are encoded as they are written, so they die young. */
  protected pending = new ColumnsEncoder();
  protected failure: Error | undefined;
  protected finished = false;
  /** Counted by this writer (not what an appended corpus held before). */
  protected events = 0;
  protected chunksWritten = 0;
  protected bytesWritten = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastFlush = Date.now();
  private timer: NodeJS.Timeout | undefined;

  /** Chunks and bytes stored so far by this writer (live figures for a long recording's progress line). */
  stored(): { chunks: number; bytes: number } {
    return { chunks: this.chunksWritten, bytes: this.bytesWritten };
  }

  constructor(private readonly pipeline: PipelineOptions) {
    const interval = pipeline.flushIntervalMs;
    if (interval !== undefined && interval > 0) {
      this.timer = setInterval(() => {
        if (this.pending.count > 0 && Date.now() - this.lastFlush >= interval) void this.flush().catch(() => undefined);
      }, Math.max(50, Math.floor(interval / 4)));
      this.timer.unref();
    }
  }

  abstract get path(): string;

  /** Store one framed chunk; calls come one at a time, in chunk order. */
  protected abstract store(framed: Buffer, header: ChunkHeader): Promise<void>;

  /** The error to report for a failed store. */
  protected abstract failureOf(e: unknown): Error;

  write(record: CorpusRecord): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.finished) throw new CorpusError(`${this.path}: write after close`);
    this.pending.add(record);
    if (this.pending.count >= this.pipeline.chunkEvents) return this.flush();
    return undefined;
  }

  /**
   * Append an already framed chunk as it is (bit for bit): how a corpus is
   * copied between files and Redis without decoding. Verified first; records
   * written before it go first.
   */
  async appendFramed(framed: Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    verifyChunk(framed);
    await this.flush();
    this.enqueue(Promise.resolve(Buffer.from(framed.buffer, framed.byteOffset, framed.byteLength)));
    await this.backpressure();
  }

  /** Start encoding the pending records as a chunk; resolves when the caller may continue. */
  flush(): Promise<void> {
    if (this.pending.count === 0) return this.backpressure();
    const encoder = this.pending;
    this.pending = new ColumnsEncoder();
    this.lastFlush = Date.now();
    const encoded = encodeChunkOf(encoder);
    encoded.catch(() => undefined); // handled when the chain reaches it; avoid an early unhandled-rejection report
    this.enqueue(encoded);
    return this.backpressure();
  }

  private enqueue(framed: Promise<Buffer>): void {
    this.queued++;
    this.chain = this.chain
      .then(async () => {
        if (this.failure !== undefined) return;
        const bytes = await framed;
        const header = readChunkHeader(bytes);
        if (typeof header === 'string') throw new Error(header);
        await this.store(bytes, header);
        this.events += header.events;
        this.chunksWritten++;
        this.bytesWritten += bytes.length;
      })
      .catch((e: unknown) => {
        this.failure ??= this.failureOf(e);
      })
      .finally(() => {
        this.queued--;
      });
  }

  private async backpressure(): Promise<void> {
    if (this.queued >= this.pipeline.maxQueued) await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stop the flush timer and wait until every queued chunk is stored (or failed). */
  protected async drain(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.chain;
  }
}
