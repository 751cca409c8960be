/**
 * Streaming corpus writer. Records are buffered into chunks; each chunk is
 * compressed off the main thread and appended in order. The index and
 * trailer are written only by close(), so a file without them is visibly
 * unfinished while every completed chunk stays readable.
 *
 * Failure policy ("nothing lost, nothing looking complete when it is not"):
 * - abort() on a new file removes it;
 * - abort() on an append restores the file to its previous bytes exactly.
 */
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Packr } from 'msgpackr';
import type { CorpusRecord } from '../event/connection.js';
import { ChunkPipeline } from './chunk-pipeline.js';
import { CorpusError } from './errors.js';
import {
  FILE_HEADER_FIXED,
  FILE_MAGIC,
  FILE_VERSION_OFFSET,
  FORMAT_VERSION,
  LAYOUT_NAME,
  INDEX_HEADER_SIZE,
  INDEX_MAGIC,
  checksum,
  writeTrailer,
  type ChunkHeader,
} from './format.js';
import type { ChunkInfo, DroppedChunk } from './corpus.js';
import { openCorpusFile } from './reader.js';

export interface CorpusWriterOptions {
  /** Add to an existing corpus instead of creating one. */
  append?: boolean;
  /** Replace an existing file (without it, an existing file is an error unless appending). */
  overwrite?: boolean;
  /** Records per chunk (default 8192). */
  chunkEvents?: number;
  /**
   * Write out the pending partial chunk when this much time passed since the
   * last write-out (live capture: a crash loses at most this long). Default: off.
   */
  flushIntervalMs?: number;
  /** Version string stored in the file header. */
  tool?: string;
}

export interface CorpusWriteStats {
  /** Events written by this writer (not counting what an appended file held). */
  events: number;
  /** Chunks written by this writer. */
  chunks: number;
  /** Bytes written by this writer. */
  bytesWritten: number;
  /** Size of the finished file. */
  fileBytes: number;
  /** Events in the whole corpus after closing. */
  totalEvents: number;
}

/**
 * What the store's writers (file, Redis) offer a recorder. Internal to the
 * store: the recording pipeline's own RecordSink (src/record/types.ts) is the
 * public contract.
 */
export interface RecordSink {
  write(record: CorpusRecord): void | Promise<void>;
  close(): Promise<CorpusWriteStats>;
  abort(): Promise<void>;
}

export const DEFAULT_CHUNK_EVENTS = 8192;
/** Chunks being compressed at once before write() asks the caller to wait. */
const MAX_IN_FLIGHT = 2;

const metaPackr = new Packr({ useRecords: false });

interface IndexBody {
  v: number;
  events: number;
  chunks: [offset: number, length: number, events: number, minTime: number, maxTime: number][];
  dropped?: DroppedChunk[];
}

export function encodeIndex(chunks: readonly ChunkInfo[], events: number, dropped: readonly DroppedChunk[] = []): Buffer {
  const body: IndexBody = {
    v: 1,
    events,
    chunks: chunks.map((c) => [c.offset, c.length, c.events, c.minTime, c.maxTime]),
    ...(dropped.length > 0 ? { dropped: [...dropped] } : {}),
  };
  const packed = metaPackr.pack(body);
  const head = Buffer.alloc(INDEX_HEADER_SIZE);
  INDEX_MAGIC.copy(head, 0);
  head.writeUInt32LE(packed.length, 4);
  head.writeUInt32LE(checksum(packed), 8);
  return Buffer.concat([head, packed]);
}

export function encodeFileHeader(tool: string): Buffer {
  const meta = metaPackr.pack({ created: new Date().toISOString(), tool, layout: LAYOUT_NAME, codec: 'brotli' });
  const head = Buffer.alloc(FILE_HEADER_FIXED);
  FILE_MAGIC.copy(head, 0);
  head.writeUInt16LE(FORMAT_VERSION, FILE_VERSION_OFFSET);
  head.writeUInt16LE(0, 10);
  head.writeUInt32LE(meta.length, 12);
  head.writeUInt32LE(checksum(meta), 16);
  return Buffer.concat([head, meta]);
}

async function checkTarget(path: string): Promise<void> {
  try {
    const s = await stat(dirname(path));
    if (!s.isDirectory()) throw new CorpusError(`${path}: ${dirname(path)} is not a directory`);
  } catch (e) {
    if (e instanceof CorpusError) throw e;
    throw new CorpusError(`${path}: the directory ${dirname(path)} does not exist (create it first)`);
  }
}

export class CorpusFileWriter extends ChunkPipeline implements RecordSink {
  private readonly chunks: ChunkInfo[];
  private offset: number;
  private readonly dropped: DroppedChunk[] = [];

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    startOffset: number,
    existingChunks: ChunkInfo[],
    private readonly previousEvents: number,
    /** For append: bytes to restore on abort (old index + trailer) and where they go. */
    private readonly restore: { at: number; tail: Buffer } | undefined,
    /** For append to a file of an older format version: its header is marked FORMAT_VERSION when the records are in. */
    private readonly upgradeVersion: boolean,
    options: CorpusWriterOptions,
  ) {
    super({
      chunkEvents: options.chunkEvents ?? DEFAULT_CHUNK_EVENTS,
      maxQueued: MAX_IN_FLIGHT,
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    });
    this.offset = startOffset;
    this.chunks = existingChunks;
  }

  static async create(path: string, options: CorpusWriterOptions = {}): Promise<CorpusFileWriter> {
    await checkTarget(path);
    const tool = options.tool ?? 'cfreplay';
    let exists = false;
    try {
      exists = (await stat(path)).isFile();
    } catch {
      exists = false;
    }
    if (options.append === true && exists) {
      const existing = await openCorpusFile(path);
      const info = existing.summary();
      await existing.close();
      // Appending rewrites the index: a loss it would hide (an unfinished recording, a chunk cut
      // short or dropped) must not disappear; damage that lost nothing (appended bytes, a damaged
      // index or trailer) is repaired by it.
      const loss = info.problems.find((p) => p.lostEvents !== 0);
      if (loss !== undefined) throw new CorpusError(`${path}: cannot append: byte ${loss.offset}: ${loss.message}; record into a new file instead`);
      const fh = await open(path, 'r+');
      const size = (await fh.stat()).size;
      const tail = Buffer.alloc(size - info.dataEnd);
      await fh.read(tail, 0, tail.length, info.dataEnd);
      await fh.truncate(info.dataEnd);
      return new CorpusFileWriter(path, fh, info.dataEnd, [...info.chunks], info.events, { at: info.dataEnd, tail }, info.formatVersion < FORMAT_VERSION, options);
    }
    if (exists && options.overwrite !== true && options.append !== true) {
      throw new CorpusError(`${path}: already exists (use --append to add to it, or --force to replace it)`);
    }
    let fh: FileHandle;
    try {
      fh = await open(path, 'w');
    } catch (e) {
      throw new CorpusError(`${path}: cannot create (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const header = encodeFileHeader(tool);
    await fh.write(header, 0, header.length, 0);
    const writer = new CorpusFileWriter(path, fh, header.length, [], 0, undefined, false, options);
    writer.bytesWritten = header.length;
    return writer;
  }

  /** Note a source chunk that is not copied: the index keeps it, so readers report the loss. */
  noteDropped(d: DroppedChunk): void {
    this.dropped.push(d);
  }

  protected async store(framed: Buffer, header: ChunkHeader): Promise<void> {
    await this.fh.write(framed, 0, framed.length, this.offset);
    this.chunks.push({ index: this.chunks.length, offset: this.offset, length: framed.length, events: header.events, minTime: header.minTime, maxTime: header.maxTime });
    this.offset += framed.length;
  }

  protected failureOf(e: unknown): Error {
    return new CorpusError(`${this.path}: cannot write chunk (${(e as Error).message})`);
  }

  async close(): Promise<CorpusWriteStats> {
    await this.flush().catch(() => undefined);
    await this.drain();
    if (this.failure !== undefined) {
      await this.abort();
      throw this.failure;
    }
    this.finished = true;
    const totalEvents = this.previousEvents + this.events;
    const index = encodeIndex(this.chunks, totalEvents, this.dropped);
    const trailer = writeTrailer(this.offset);
    const tail = Buffer.concat([index, trailer]);
    if (this.upgradeVersion) {
      // The appended chunks are of this version's layout (store/format.ts): a cfreplay that knows
      // only the older version then refuses the file ("upgrade cfreplay") instead of finding
      // chunks it cannot read. Written before the index, so no reader sees the new index with the old version.
      const version = Buffer.alloc(2);
      version.writeUInt16LE(FORMAT_VERSION, 0);
      await this.fh.write(version, 0, 2, FILE_VERSION_OFFSET);
    }
    await this.fh.write(tail, 0, tail.length, this.offset);
    this.bytesWritten += tail.length;
    await this.fh.sync();
    await this.fh.close();
    return {
      events: this.events,
      chunks: this.chunksWritten,
      bytesWritten: this.bytesWritten,
      fileBytes: this.offset + tail.length,
      totalEvents,
    };
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.failure ??= new CorpusError(`${this.path}: recording aborted`);
    await this.drain();
    if (this.restore !== undefined) {
      await this.fh.truncate(this.restore.at);
      await this.fh.write(this.restore.tail, 0, this.restore.tail.length, this.restore.at);
      await this.fh.close();
    } else {
      await this.fh.close();
      await unlink(this.path).catch(() => undefined);
    }
  }
}

export function createCorpusWriter(path: string, options?: CorpusWriterOptions): Promise<CorpusFileWriter> {
  return CorpusFileWriter.create(path, options);
}
