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
import { ColumnsCursor, ColumnsEncoder, remainingRecords, type ColumnsPayload } from './columns.js';
import {
  CHUNK_HEADER_SIZE,
  Codec,
  LAYOUT_COLUMNS_V1,
  LAYOUT_COLUMNS_V2,
  PARTS_HEADER_SIZE,
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

function frame(encoder: ColumnsEncoder, rawLength: number, payload: Buffer): Buffer {
  const empty = encoder.count === 0;
  const header = writeChunkHeader({
    payloadLength: payload.length,
    rawLength,
    events: encoder.count,
    minTime: empty ? 0 : encoder.minTime,
    maxTime: empty ? 0 : encoder.maxTime,
    payloadCrc: checksum(payload),
    codec: Codec.Brotli,
    layout: LAYOUT_COLUMNS_V2,
  });
  return Buffer.concat([header, payload]);
}

/** Compression runs on libuv's thread pool, so recording overlaps parsing and compressing. */
export async function encodeChunk(records: readonly RecordedExchange[]): Promise<Buffer> {
  const encoder = new ColumnsEncoder();
  for (const r of records) encoder.add(r);
  return encodeChunkOf(encoder);
}

/** The framed chunk of the records an encoder holds (it is finished): layout 2, its two parts compressed side by side. */
export async function encodeChunkOf(encoder: ColumnsEncoder): Promise<Buffer> {
  const parts = encoder.finishParts();
  const [request, response] = await Promise.all([
    brotliCompress(parts.request, brotliOptions(parts.request.length)),
    brotliCompress(parts.response, brotliOptions(parts.response.length)),
  ]);
  const lengths = Buffer.alloc(PARTS_HEADER_SIZE);
  lengths.writeUInt32LE(request.length, 0);
  lengths.writeUInt32LE(parts.request.length, 4);
  return frame(encoder, parts.request.length + parts.response.length, Buffer.concat([lengths, request, response]));
}

export class ChunkDecodeError extends Error {}

/**
 * Whether a chunk error says the chunk's layout is unknown to the cfreplay that read it
 * ("unknown chunk layout N", the wording of every version so far). The layout byte is under
 * the header's checksum, so this is not damage: the reader is older than the writer (a
 * distributed worker of an older cfreplay meeting layout 2, store/format.ts).
 */
export function isUnknownLayoutError(message: string): boolean {
  return /^unknown chunk layout \d+/.test(message);
}

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

/** One compressed stream of a chunk, `rawLength` bytes once decompressed (a hint: see outputChunkSize). */
function decompress(codec: number, bytes: Uint8Array, rawLength: number): Uint8Array {
  if (codec === Codec.None) return bytes;
  if (codec !== Codec.Brotli) throw new ChunkDecodeError(`unknown compression codec ${codec}`);
  try {
    return brotliDecompressSync(bytes, { chunkSize: outputChunkSize(rawLength) });
  } catch (e) {
    throw new ChunkDecodeError(`cannot decompress: ${(e as Error).message}`);
  }
}

/** A layout-2 payload's two parts (store/format.ts), their lengths checked against the chunk header. */
function payloadParts(payload: Uint8Array, header: ChunkHeader): { request: Uint8Array; requestRaw: number; response: Uint8Array; responseRaw: number } {
  if (payload.length < PARTS_HEADER_SIZE) throw new ChunkDecodeError('payload too short for its two parts');
  const view = Buffer.from(payload.buffer, payload.byteOffset, PARTS_HEADER_SIZE);
  const requestLength = view.readUInt32LE(0);
  const requestRaw = view.readUInt32LE(4);
  if (requestLength > payload.length - PARTS_HEADER_SIZE) throw new ChunkDecodeError(`request part of ${requestLength} bytes in a payload of ${payload.length}`);
  if (requestRaw > header.rawLength) throw new ChunkDecodeError(`request part of ${requestRaw} raw bytes in a chunk of ${header.rawLength}`);
  return {
    request: payload.subarray(PARTS_HEADER_SIZE, PARTS_HEADER_SIZE + requestLength),
    requestRaw,
    response: payload.subarray(PARTS_HEADER_SIZE + requestLength),
    responseRaw: header.rawLength - requestRaw,
  };
}

/**
 * Verify and decode a framed chunk into a record cursor. Throws ChunkDecodeError.
 * `requestOnly`: see ColumnsCursor (records without their response); a layout-2 chunk's
 * response part is then not decompressed at all.
 */
export function openChunk(framed: Uint8Array, requestOnly = false): ColumnsCursor {
  const header = verifyChunk(framed);
  const payload = framed.subarray(CHUNK_HEADER_SIZE, CHUNK_HEADER_SIZE + header.payloadLength);
  let columns: ColumnsPayload;
  if (header.layout === LAYOUT_COLUMNS_V2) {
    const parts = payloadParts(payload, header);
    columns = {
      request: decompress(header.codec, parts.request, parts.requestRaw),
      response: requestOnly ? undefined : decompress(header.codec, parts.response, parts.responseRaw),
    };
  } else if (header.layout === LAYOUT_COLUMNS_V1) {
    columns = decompress(header.codec, payload, header.rawLength);
  } else {
    throw new ChunkDecodeError(`unknown chunk layout ${header.layout} (written by a newer cfreplay?)`);
  }
  try {
    const cursor = new ColumnsCursor(columns, requestOnly);
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
