/**
 * A framed chunk (header + compressed payload) is the unit everything moves:
 * files hold them back to back, workers receive them undecoded, Redis stores
 * them as binary values. Encoding and decoding live here so all paths check
 * the same checksums.
 */
import { constants } from 'node:zlib';
import { brotliCompress, brotliDecompressSync } from '../util/zlib.js';
import type { RecordedExchange } from '../event/types.js';
import type { CorpusRecord } from '../event/connection.js';
import { ColumnsCursor, ColumnsEncoder, remainingRecords } from './columns.js';
import {
  CHUNK_HEADER_SIZE,
  Codec,
  LAYOUT_COLUMNS_V1,
  checksum,
  readChunkHeader,
  writeChunkHeader,
  type ChunkHeader,
} from './format.js';

/**
 * Brotli quality 4 with a 16 MB window: measured on realistic columns it is
 * within 3% of quality 9 in size and decompresses 35% faster; higher
 * qualities cost recording speed for almost nothing.
 */
function brotliOptions(rawLength: number) {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: rawLength,
    },
  };
}

function frame(encoder: ColumnsEncoder, raw: Buffer, payload: Buffer): Buffer {
  const empty = encoder.count === 0;
  const header = writeChunkHeader({
    payloadLength: payload.length,
    rawLength: raw.length,
    events: encoder.count,
    minTime: empty ? 0 : encoder.minTime,
    maxTime: empty ? 0 : encoder.maxTime,
    payloadCrc: checksum(payload),
    codec: Codec.Brotli,
    layout: LAYOUT_COLUMNS_V1,
  });
  return Buffer.concat([header, payload]);
}

/** Compression runs on libuv's thread pool, so recording overlaps parsing and compressing. */
export async function encodeChunk(records: readonly RecordedExchange[]): Promise<Buffer> {
  const encoder = new ColumnsEncoder();
  for (const r of records) encoder.add(r);
  return encodeChunkOf(encoder);
}

/** The framed chunk of the records an encoder holds (it is finished). */
export async function encodeChunkOf(encoder: ColumnsEncoder): Promise<Buffer> {
  const raw = encoder.finish();
  return frame(encoder, raw, await brotliCompress(raw, brotliOptions(raw.length)));
}

export class ChunkDecodeError extends Error {}

/** Verify a framed chunk and return its header, without decompressing. */
export function verifyChunk(framed: Uint8Array): ChunkHeader {
  const header = readChunkHeader(framed);
  if (typeof header === 'string') throw new ChunkDecodeError(header);
  if (framed.length < CHUNK_HEADER_SIZE + header.payloadLength) throw new ChunkDecodeError('chunk payload cut short');
  const payload = framed.subarray(CHUNK_HEADER_SIZE, CHUNK_HEADER_SIZE + header.payloadLength);
  if (checksum(payload) !== header.payloadCrc) throw new ChunkDecodeError('payload checksum mismatch');
  return header;
}

/**
 * zlib's sync output buffer: a little more than the header's raw length, so
 * the whole payload decompresses in one native call into one buffer (the
 * 16 KB default took ~90 calls and a concatenation per chunk; an exact fit
 * makes zlib allocate a second buffer to find there is no more). Clamped: the
 * raw length is only a hint (a damaged or hostile header may claim 4 GB); a
 * longer output still decodes, in more pieces.
 */
const MAX_OUTPUT_CHUNK = 64 * 1024 * 1024;
function outputChunkSize(rawLength: number): number {
  return Math.min(MAX_OUTPUT_CHUNK, rawLength + 64);
}

/** Verify and decode a framed chunk into a record cursor. Throws ChunkDecodeError. */
/** `requestOnly`: see ColumnsCursor (records without their response). */
export function openChunk(framed: Uint8Array, requestOnly = false): ColumnsCursor {
  const header = verifyChunk(framed);
  const payload = framed.subarray(CHUNK_HEADER_SIZE, CHUNK_HEADER_SIZE + header.payloadLength);
  if (header.layout !== LAYOUT_COLUMNS_V1) throw new ChunkDecodeError(`unknown chunk layout ${header.layout}`);
  let raw: Uint8Array;
  try {
    if (header.codec === Codec.Brotli) raw = brotliDecompressSync(payload, { chunkSize: outputChunkSize(header.rawLength) });
    else if (header.codec === Codec.None) raw = payload;
    else throw new ChunkDecodeError(`unknown compression codec ${header.codec}`);
  } catch (e) {
    if (e instanceof ChunkDecodeError) throw e;
    throw new ChunkDecodeError(`cannot decompress: ${(e as Error).message}`);
  }
  try {
    const cursor = new ColumnsCursor(raw, requestOnly);
    if (cursor.count !== header.events) throw new ChunkDecodeError(`header says ${header.events} events, payload holds ${cursor.count}`);
    return cursor;
  } catch (e) {
    if (e instanceof ChunkDecodeError) throw e;
    throw new ChunkDecodeError(`cannot decode columns: ${(e as Error).message}`);
  }
}

/** All records of a framed chunk. */
export function decodeChunk(framed: Uint8Array): CorpusRecord[] {
  return remainingRecords(openChunk(framed));
}
