/**
 * Corpus file reader. Opening reads only the header and the index (or, for a
 * file whose recording never finished, walks the chunk headers), so counting
 * events or handing chunks to workers never decodes anything.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Unpackr } from 'msgpackr';
import type { CorpusRecord } from '../event/connection.js';
import { ChunkDecodeError, openChunk } from './chunk.js';
import type { ColumnsCursor } from './columns.js';
import { CorpusError, CorruptChunkError } from './errors.js';
import { recordAtOf, recordsOf, verifyAll } from './corpus.js';
import {
  CHUNK_HEADER_SIZE,
  CHUNK_MAGIC,
  FILE_HEADER_FIXED,
  FILE_MAGIC,
  FORMAT_VERSION,
  INDEX_HEADER_SIZE,
  INDEX_MAGIC,
  TRAILER_SIZE,
  checksum,
  readChunkHeader,
  readTrailer,
} from './format.js';

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

/** Something wrong found while opening (not while decoding a chunk). */
export interface CorpusProblem {
  offset: number;
  message: string;
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

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

export interface ReadOptions {
  /** Called for each chunk that fails its checksum or decoding; reading goes on with the next. */
  onCorruptChunk?: (error: CorruptChunkError) => void;
  /** Only these chunk indexes (default: all). */
  chunks?: readonly number[];
}

export class CorpusFile {
  private constructor(
    private readonly fh: FileHandle,
    private readonly info: CorpusSummary,
  ) {}

  get path(): string {
    return this.info.path;
  }
  get events(): number {
    return this.info.events;
  }
  get chunks(): readonly ChunkInfo[] {
    return this.info.chunks;
  }
  get complete(): boolean {
    return this.info.complete;
  }

  summary(): CorpusSummary {
    return this.info;
  }

  static async open(path: string): Promise<CorpusFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CorpusError(`${path}: corpus file not found`);
      if (code === 'EISDIR') throw new CorpusError(`${path}: is a directory, expected a corpus file (.cfr)`);
      throw new CorpusError(`${path}: cannot open corpus (${code ?? String(e)})`);
    }
    try {
      return new CorpusFile(fh, await readStructure(fh, path));
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** The framed bytes of one chunk, undecoded: what workers and Redis receive. */
  async readFramedChunk(index: number): Promise<Buffer> {
    const c = this.info.chunks[index];
    if (c === undefined) throw new CorpusError(`${this.path}: no chunk ${index} (the corpus has ${this.info.chunks.length})`);
    const buf = Buffer.allocUnsafe(c.length);
    const { bytesRead } = await this.fh.read(buf, 0, c.length, c.offset);
    return bytesRead === c.length ? buf : buf.subarray(0, bytesRead);
  }

  /** A record cursor over one chunk; throws CorruptChunkError naming file, chunk and offset. */
  async openChunk(index: number): Promise<ColumnsCursor> {
    const framed = await this.readFramedChunk(index);
    try {
      return openChunk(framed);
    } catch (e) {
      if (e instanceof ChunkDecodeError) throw new CorruptChunkError(this.path, index, this.info.chunks[index]!.offset, e.message);
      throw e;
    }
  }

  /** Every record, in order. Corrupt chunks go to onCorruptChunk (default: thrown). */
  records(options: ReadOptions = {}): AsyncGenerator<CorpusRecord> {
    return recordsOf(this, options);
  }

  /** The record at a global position (0-based), or undefined past the end. */
  recordAt(position: number): Promise<CorpusRecord | undefined> {
    return recordAtOf(this, position);
  }

  /** Check every chunk's checksums and decoding. */
  verify(): Promise<CorruptChunkError[]> {
    return verifyAll(this);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

async function readStructure(fh: FileHandle, path: string): Promise<CorpusSummary> {
  const fileBytes = (await fh.stat()).size;
  const head = await readAt(fh, 0, FILE_HEADER_FIXED);
  if (head.length < FILE_HEADER_FIXED || !head.subarray(0, 8).equals(FILE_MAGIC)) {
    throw new CorpusError(`${path}: not a cfreplay corpus (no corpus header at byte 0)`);
  }
  const version = head.readUInt16LE(8);
  if (version !== FORMAT_VERSION) {
    throw new CorpusError(`${path}: corpus format version ${version} is not supported by this cfreplay (it reads version ${FORMAT_VERSION}); upgrade cfreplay`);
  }
  const metaLength = head.readUInt32LE(12);
  const metaBytes = await readAt(fh, FILE_HEADER_FIXED, metaLength);
  if (metaBytes.length !== metaLength || checksum(metaBytes) !== head.readUInt32LE(16)) {
    throw new CorpusError(`${path}: corpus header is damaged (checksum mismatch at byte ${FILE_HEADER_FIXED})`);
  }
  const meta = unpackr.unpack(metaBytes) as Record<string, unknown>;
  const firstChunk = FILE_HEADER_FIXED + metaLength;
  const problems: CorpusProblem[] = [];

  const indexed = await readIndex(fh, fileBytes, firstChunk);
  if (indexed !== undefined) {
    return { path, formatVersion: version, meta, ...indexed, complete: true, fileBytes, problems };
  }
  const scanned = await scanChunks(fh, firstChunk, fileBytes, problems);
  problems.unshift({ offset: scanned.dataEnd, message: 'no index: the recording did not finish (crash or kill); completed chunks were recovered by scanning' });
  return { path, formatVersion: version, meta, ...scanned, complete: false, fileBytes, problems };
}

async function readIndex(
  fh: FileHandle,
  fileBytes: number,
  firstChunk: number,
): Promise<{ chunks: ChunkInfo[]; events: number; dataEnd: number } | undefined> {
  if (fileBytes < firstChunk + TRAILER_SIZE) return undefined;
  const indexOffset = readTrailer(await readAt(fh, fileBytes - TRAILER_SIZE, TRAILER_SIZE));
  if (indexOffset === undefined || indexOffset < firstChunk || indexOffset > fileBytes - TRAILER_SIZE - INDEX_HEADER_SIZE) return undefined;
  const ih = await readAt(fh, indexOffset, INDEX_HEADER_SIZE);
  if (!ih.subarray(0, 4).equals(INDEX_MAGIC)) return undefined;
  const length = ih.readUInt32LE(4);
  if (indexOffset + INDEX_HEADER_SIZE + length + TRAILER_SIZE !== fileBytes) return undefined;
  const body = await readAt(fh, indexOffset + INDEX_HEADER_SIZE, length);
  if (checksum(body) !== ih.readUInt32LE(8)) return undefined; // damaged index: fall back to scanning
  const parsed = unpackr.unpack(body) as { v: number; events: number; chunks: number[][] };
  const chunks = parsed.chunks.map(([offset, len, events, minTime, maxTime], index) => ({
    index,
    offset: offset!,
    length: len!,
    events: events!,
    minTime: minTime!,
    maxTime: maxTime!,
  }));
  return { chunks, events: parsed.events, dataEnd: indexOffset };
}

/**
 * Walk chunk headers from the start. A damaged header is reported and the
 * walk resynchronises on the next valid chunk marker, so one bad chunk never
 * hides the ones after it.
 */
async function scanChunks(
  fh: FileHandle,
  start: number,
  fileBytes: number,
  problems: CorpusProblem[],
): Promise<{ chunks: ChunkInfo[]; events: number; dataEnd: number }> {
  const chunks: ChunkInfo[] = [];
  let events = 0;
  let offset = start;
  let dataEnd = start;
  while (offset + CHUNK_HEADER_SIZE <= fileBytes) {
    const hb = await readAt(fh, offset, CHUNK_HEADER_SIZE);
    if (hb.subarray(0, 4).equals(INDEX_MAGIC)) break; // a (damaged) index: chunk data ends here
    const header = readChunkHeader(hb);
    if (typeof header === 'string') {
      const next = await findNextChunk(fh, offset + 1, fileBytes);
      problems.push({ offset, message: `${header}; skipped ${next - offset} bytes to the next readable chunk` });
      offset = next;
      continue;
    }
    const length = CHUNK_HEADER_SIZE + header.payloadLength;
    if (offset + length > fileBytes) {
      problems.push({ offset, message: `last chunk cut short (${fileBytes - offset} of ${length} bytes): its events are lost` });
      break;
    }
    chunks.push({ index: chunks.length, offset, length, events: header.events, minTime: header.minTime, maxTime: header.maxTime });
    events += header.events;
    offset += length;
    dataEnd = offset;
  }
  return { chunks, events, dataEnd };
}

async function findNextChunk(fh: FileHandle, from: number, fileBytes: number): Promise<number> {
  const block = 1 << 20;
  for (let pos = from; pos < fileBytes; pos += block - CHUNK_HEADER_SIZE) {
    const buf = await readAt(fh, pos, Math.min(block, fileBytes - pos));
    let at = buf.indexOf(CHUNK_MAGIC);
    while (at >= 0) {
      const header = readChunkHeader(buf.subarray(at, at + CHUNK_HEADER_SIZE));
      if (typeof header !== 'string') return pos + at;
      if (at + CHUNK_HEADER_SIZE > buf.length) break;
      at = buf.indexOf(CHUNK_MAGIC, at + 1);
    }
    if (buf.length < block) break;
  }
  return fileBytes;
}

export function openCorpusFile(path: string): Promise<CorpusFile> {
  return CorpusFile.open(path);
}
