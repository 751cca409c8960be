/**
 * Corpus file reader. Opening reads only the header and the index (or, for a
 * file whose recording never finished, walks the chunk headers), so counting
 * events or handing chunks to workers never decodes anything.
 */
import { open, type FileHandle } from 'node:fs/promises';
// msgpackr's decoder without its entry point: the header and the index are a few maps, and the
// entry point loads the native string extractor (node-gyp-build, detect-libc, child_process:
// ~15 ms of CPU on a replay's main thread, which never decodes a record).
import { Unpackr } from 'msgpackr/unpack';
import type { CorpusRecord } from '../event/connection.js';
import type { ColumnsCursor } from './columns.js';
import { CorpusError, CorruptChunkError } from './errors.js';
import {
  recordAtOf,
  recordsOf,
  verifyAll,
  type ChunkInfo,
  type CorpusProblem,
  type CorpusSummary,
  type DroppedChunk,
  type ReadOptions,
} from './corpus.js';
import {
  CHUNK_HEADER_SIZE,
  CHUNK_MAGIC,
  FILE_HEADER_FIXED,
  FILE_MAGIC,
  FILE_VERSION_OFFSET,
  INDEX_HEADER_SIZE,
  INDEX_MAGIC,
  TRAILER_SIZE,
  checksum,
  readChunkHeader,
  readTrailer,
  unsupportedVersion,
} from './format.js';
import { inputFileMessage } from '../util/input-file.js';

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

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
      throw new CorpusError(inputFileMessage(path, e, 'corpus file'));
    }
    try {
      return new CorpusFile(fh, await readStructure(fh, path));
    } catch (e) {
      await fh.close();
      // A directory opens (read-only) on Linux and fails at the first read: EISDIR; an I/O error likewise.
      if (typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined) throw new CorpusError(inputFileMessage(path, e, 'corpus file'));
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
    // Loaded on the first record asked for: a replay's main thread only hands framed chunks on.
    const { ChunkDecodeError, openChunk } = await import('./chunk.js');
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
  const version = head.readUInt16LE(FILE_VERSION_OFFSET);
  const unsupported = unsupportedVersion(path, version);
  if (unsupported !== undefined) throw new CorpusError(unsupported);
  const metaLength = head.readUInt32LE(12);
  const metaBytes = await readAt(fh, FILE_HEADER_FIXED, metaLength);
  if (metaBytes.length !== metaLength || checksum(metaBytes) !== head.readUInt32LE(16)) {
    throw new CorpusError(`${path}: corpus header is damaged (checksum mismatch at byte ${FILE_HEADER_FIXED})`);
  }
  let meta: Record<string, unknown>;
  try {
    meta = unpackr.unpack(metaBytes) as Record<string, unknown>;
  } catch (e) {
    throw new CorpusError(`${path}: corpus header is damaged (cannot decode it at byte ${FILE_HEADER_FIXED}: ${(e as Error).message})`);
  }
  const firstChunk = FILE_HEADER_FIXED + metaLength;
  const base = { path, formatVersion: version, meta, fileBytes };

  // The trailer at the very end names the index: the normal case, nothing to scan.
  const trailerPoints = fileBytes >= firstChunk + TRAILER_SIZE ? readTrailer(await readAt(fh, fileBytes - TRAILER_SIZE, TRAILER_SIZE)) : undefined;
  if (trailerPoints !== undefined) {
    const index = await readIndexAt(fh, trailerPoints, firstChunk, fileBytes);
    if (typeof index !== 'string' && index.end + TRAILER_SIZE === fileBytes) {
      return { ...base, ...index, complete: true, problems: droppedProblems(index.dropped) };
    }
  }

  // Anything else: walk the chunk headers, then tell what the end of the file looks like.
  const problems: CorpusProblem[] = [];
  const scanned = await scanChunks(fh, firstChunk, fileBytes, problems, trailerPoints);
  const at = scanned.dataEnd;
  if (scanned.stop === 'index') {
    const index = await readIndexAt(fh, at, firstChunk, fileBytes);
    if (typeof index === 'string') {
      problems.push({ kind: 'damaged-index', offset: at, message: `damaged index (${index}); the chunks were found by scanning, none is lost`, lostEvents: 0 });
      return { ...base, ...scanned, complete: false, problems };
    }
    const trailer = index.end + TRAILER_SIZE <= fileBytes ? readTrailer(await readAt(fh, index.end, TRAILER_SIZE)) : undefined;
    if (trailer === at) {
      const extra = fileBytes - index.end - TRAILER_SIZE;
      problems.push({ kind: 'appended', offset: index.end + TRAILER_SIZE, message: `${extra} bytes of garbage appended after the end of the corpus (the corpus itself is intact)`, lostEvents: 0 });
    } else {
      const have = fileBytes - index.end;
      problems.push({
        kind: 'damaged-trailer',
        offset: index.end,
        message: have < TRAILER_SIZE ? `trailer cut short (${have} of ${TRAILER_SIZE} bytes); the index is intact, no chunk is lost` : 'damaged trailer; the index is intact, no chunk is lost',
        lostEvents: 0,
      });
    }
    problems.push(...droppedProblems(index.dropped));
    return { ...base, ...index, complete: false, problems };
  }
  problems.unshift({
    kind: 'unfinished',
    offset: at,
    message: 'unfinished recording: no index, the recording did not finish (crash or kill); completed chunks were recovered by scanning, events not yet written were lost',
  });
  return { ...base, ...scanned, complete: false, problems };
}

function droppedProblems(dropped: readonly DroppedChunk[]): CorpusProblem[] {
  return dropped.map((d) => ({
    kind: 'dropped',
    offset: d.offset,
    message: `chunk ${d.chunk} at byte ${d.offset} of ${d.from} was dropped when this copy was made (${d.reason}): its ${d.events} events are missing`,
    lostEvents: d.events,
  }));
}

interface IndexedChunks {
  dropped: DroppedChunk[];
  chunks: ChunkInfo[];
  events: number;
  dataEnd: number;
  /** Where the index ends (the trailer starts here). */
  end: number;
}

/** The index at `indexOffset`, or why it cannot be used. */
async function readIndexAt(fh: FileHandle, indexOffset: number, firstChunk: number, fileBytes: number): Promise<IndexedChunks | string> {
  if (indexOffset < firstChunk || indexOffset >= fileBytes) return 'the index is outside the file';
  if (indexOffset + INDEX_HEADER_SIZE > fileBytes) return `cut short: ${fileBytes - indexOffset} of ${INDEX_HEADER_SIZE} header bytes`;
  const ih = await readAt(fh, indexOffset, INDEX_HEADER_SIZE);
  if (!ih.subarray(0, 4).equals(INDEX_MAGIC)) return 'no index marker';
  const length = ih.readUInt32LE(4);
  const end = indexOffset + INDEX_HEADER_SIZE + length;
  if (end > fileBytes) return `cut short: ${fileBytes - indexOffset - INDEX_HEADER_SIZE} of ${length} bytes`;
  const body = await readAt(fh, indexOffset + INDEX_HEADER_SIZE, length);
  if (checksum(body) !== ih.readUInt32LE(8)) return 'checksum mismatch';
  let parsed: { events?: unknown; chunks?: unknown; dropped?: unknown };
  try {
    parsed = unpackr.unpack(body) as { events?: unknown; chunks?: unknown; dropped?: unknown };
  } catch {
    return 'cannot decode it';
  }
  if (!Array.isArray(parsed.chunks) || typeof parsed.events !== 'number') return 'unexpected layout';
  const chunks: ChunkInfo[] = [];
  let events = 0;
  let next = firstChunk;
  for (const entry of parsed.chunks as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 5 || !entry.every((n) => typeof n === 'number')) return 'unexpected layout';
    const [offset, len, n, minTime, maxTime] = entry as number[];
    if (offset !== next || offset! + len! > indexOffset) return `entry of chunk ${chunks.length} points outside the chunk data`;
    chunks.push({ index: chunks.length, offset: offset!, length: len!, events: n!, minTime: minTime!, maxTime: maxTime! });
    events += n!;
    next = offset! + len!;
  }
  if (events !== parsed.events) return `it counts ${parsed.events} events, its chunks ${events}`;
  const dropped = Array.isArray(parsed.dropped) ? (parsed.dropped as DroppedChunk[]) : [];
  return { chunks, events, dataEnd: indexOffset, end, dropped };
}

/**
 * Walk chunk headers from the start. A damaged header is reported and the
 * walk resynchronises on the next valid chunk marker, so one bad chunk never
 * hides the ones after it. Stops at an index marker (or where the trailer
 * says the index is), at a chunk cut short, or at the end of the file.
 */
async function scanChunks(
  fh: FileHandle,
  start: number,
  fileBytes: number,
  problems: CorpusProblem[],
  indexHint: number | undefined,
): Promise<{ chunks: ChunkInfo[]; events: number; dataEnd: number; stop: 'index' | 'end' | 'cut' }> {
  const chunks: ChunkInfo[] = [];
  let events = 0;
  let offset = start;
  let dataEnd = start;
  let stop: 'index' | 'end' | 'cut' = 'end';
  while (offset < fileBytes) {
    if (offset === indexHint) {
      stop = 'index';
      break;
    }
    const hb = await readAt(fh, offset, CHUNK_HEADER_SIZE);
    if (hb.length >= 4 && hb.subarray(0, 4).equals(INDEX_MAGIC)) {
      stop = 'index';
      break;
    }
    const header = readChunkHeader(hb);
    if (typeof header === 'string') {
      if (hb.length < CHUNK_HEADER_SIZE && CHUNK_MAGIC.subarray(0, Math.min(4, hb.length)).equals(hb.subarray(0, 4))) {
        problems.push({ kind: 'cut-short', offset, message: `last chunk cut short inside its header (${hb.length} of ${CHUNK_HEADER_SIZE} bytes): its events are lost` });
        stop = 'cut';
        break;
      }
      const next = await findNextChunk(fh, offset + 1, fileBytes, indexHint);
      problems.push({
        kind: 'unreadable',
        offset,
        message: `${next - offset} unreadable bytes (${header}): ${next < fileBytes ? 'skipped to the next readable chunk' : 'up to the end of the file'}; any events in them are lost`,
      });
      offset = next;
      continue;
    }
    const length = CHUNK_HEADER_SIZE + header.payloadLength;
    if (offset + length > fileBytes) {
      problems.push({ kind: 'cut-short', offset, message: `chunk ${chunks.length} cut short (${fileBytes - offset} of ${length} bytes): its ${header.events} events are lost`, lostEvents: header.events });
      stop = 'cut';
      break;
    }
    chunks.push({ index: chunks.length, offset, length, events: header.events, minTime: header.minTime, maxTime: header.maxTime });
    events += header.events;
    offset += length;
    dataEnd = offset;
  }
  if (stop === 'index') dataEnd = offset;
  return { chunks, events, dataEnd, stop };
}

/** The next valid chunk header or index marker at or after `from`; `limit` (the end of the file, or the index) when there is none. */
async function findNextChunk(fh: FileHandle, from: number, fileBytes: number, indexHint: number | undefined): Promise<number> {
  const block = 1 << 20;
  const limit = indexHint !== undefined && indexHint >= from ? indexHint : fileBytes;
  for (let pos = from; pos < limit; pos += block - CHUNK_HEADER_SIZE) {
    const buf = await readAt(fh, pos, Math.min(block, limit - pos));
    for (let at = nextMarker(buf, 0); at >= 0; at = nextMarker(buf, at + 1)) {
      if (buf[at] === INDEX_MAGIC[0] && buf.subarray(at, at + 4).equals(INDEX_MAGIC)) return pos + at;
      if (at + CHUNK_HEADER_SIZE > buf.length) break; // looked at again in the next block
      if (typeof readChunkHeader(buf.subarray(at, at + CHUNK_HEADER_SIZE)) !== 'string') return pos + at;
    }
    if (pos + buf.length >= limit) break;
  }
  return limit;
}

function nextMarker(buf: Buffer, from: number): number {
  const c = buf.indexOf(CHUNK_MAGIC, from);
  const i = buf.indexOf(INDEX_MAGIC, from);
  return c < 0 ? i : i < 0 ? c : Math.min(c, i);
}

export function openCorpusFile(path: string): Promise<CorpusFile> {
  return CorpusFile.open(path);
}
