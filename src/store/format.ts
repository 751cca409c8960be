/**
 * The corpus file format, version 2 (all integers little-endian):
 *
 *   file header   magic(8) "\x89CFR\r\n\x1a\n" | u16 version | u16 flags | u32 metaLength | u32 crc32(meta) | meta (msgpack)
 *   chunk*        "CHNK" | u32 payloadLength | u32 rawLength | u32 events | f64 minTime | f64 maxTime
 *                 | u32 crc32(payload) | u8 codec | u8 layout | u16 reserved | u32 crc32(header bytes 0..39) | payload
 *   index         "CIDX" | u32 length | u32 crc32(body) | body (msgpack)      -- written when recording finishes
 *   trailer       u32 indexOffset low | u32 indexOffset high | "CFRINDEX"
 *
 * The magic is PNG-style so text-mode mangling is detected. Each chunk is
 * self-contained (its own header, checksums and column dictionaries), so a
 * chunk can be handed to a worker or stored in Redis as it is, and a crash
 * during recording leaves every completed chunk readable: without the
 * trailer, a reader rebuilds the index by walking the chunk headers.
 *
 * Chunk layouts (the header's layout byte; the payload is compressed with its codec):
 *   1  columns-v1: one msgpack container of every column (store/columns.ts), compressed as one
 *      stream. Files of format version 1 hold only these.
 *   2  columns-v2: the same columns as two containers compressed apart, the request part (every
 *      column but the response's) and the response part:
 *        u32 requestPayloadLength | u32 requestRawLength | request stream | response stream
 *      (the response part's lengths are the rest of payloadLength and rawLength). A reader that
 *      needs no response (a viewer-request replay) decompresses the request part only: on
 *      recorded browser traffic the response columns are about a quarter of the raw bytes and
 *      ~45% of the decompression time, and the two parts decompress faster than one stream of both.
 * Format version 2 is the first that may hold layout 2 chunks (a version-1 file that got
 * chunks appended is marked version 2), so a cfreplay that knows only layout 1 refuses the
 * file with "upgrade cfreplay" instead of reporting its chunks as damaged. This cfreplay
 * reads both versions and both layouts, and writes version 2 with layout 2.
 */
import { crc32 } from 'node:zlib';

export const FILE_MAGIC = Buffer.from([0x89, 0x43, 0x46, 0x52, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The version written; every version from 1 up to it is read. */
export const FORMAT_VERSION = 2;
/** The layout name a corpus's meta gives (informational: each chunk's header says its own). */
export const LAYOUT_NAME = 'columns-v2';

export const FILE_HEADER_FIXED = 20;
/** Where the file header's u16 version is. */
export const FILE_VERSION_OFFSET = 8;
export const CHUNK_MAGIC = Buffer.from('CHNK', 'latin1');
export const CHUNK_HEADER_SIZE = 44;
/** Where a chunk header's u8 layout is. */
const CHUNK_LAYOUT_OFFSET = 37;
export const INDEX_MAGIC = Buffer.from('CIDX', 'latin1');
export const INDEX_HEADER_SIZE = 12;
export const TRAILER_MAGIC = Buffer.from('CFRINDEX', 'latin1');
export const TRAILER_SIZE = 16;

export const enum Codec {
  None = 0,
  Brotli = 1,
}

/** Why a corpus of format `version` cannot be read here (`where`: the file or the Redis corpus), or undefined when it can. */
export function unsupportedVersion(where: string, version: number): string | undefined {
  if (Number.isInteger(version) && version >= 1 && version <= FORMAT_VERSION) return undefined;
  return `${where}: corpus format version ${version} is not supported by this cfreplay (it reads versions 1 to ${FORMAT_VERSION}); upgrade cfreplay`;
}

export const LAYOUT_COLUMNS_V1 = 1;
export const LAYOUT_COLUMNS_V2 = 2;
/** Layout 2: the two u32 lengths in front of the request part. */
export const PARTS_HEADER_SIZE = 8;

export interface ChunkHeader {
  payloadLength: number;
  rawLength: number;
  events: number;
  minTime: number;
  maxTime: number;
  payloadCrc: number;
  codec: number;
  layout: number;
}

export function checksum(data: Uint8Array): number {
  return crc32(data) >>> 0;
}

export function writeChunkHeader(h: ChunkHeader): Buffer {
  const b = Buffer.alloc(CHUNK_HEADER_SIZE);
  CHUNK_MAGIC.copy(b, 0);
  b.writeUInt32LE(h.payloadLength, 4);
  b.writeUInt32LE(h.rawLength, 8);
  b.writeUInt32LE(h.events, 12);
  b.writeDoubleLE(h.minTime, 16);
  b.writeDoubleLE(h.maxTime, 24);
  b.writeUInt32LE(h.payloadCrc, 32);
  b.writeUInt8(h.codec, 36);
  b.writeUInt8(h.layout, CHUNK_LAYOUT_OFFSET);
  b.writeUInt32LE(checksum(b.subarray(0, 40)), 40);
  return b;
}

/** The parsed header, or a reason why these bytes are not a valid chunk header. */
export function readChunkHeader(b: Uint8Array): ChunkHeader | string {
  if (b.length < CHUNK_HEADER_SIZE) return 'chunk header cut short';
  const buf = Buffer.from(b.buffer, b.byteOffset, CHUNK_HEADER_SIZE);
  if (!buf.subarray(0, 4).equals(CHUNK_MAGIC)) return 'no chunk marker';
  if (checksum(buf.subarray(0, 40)) !== buf.readUInt32LE(40)) return 'chunk header checksum mismatch';
  return {
    payloadLength: buf.readUInt32LE(4),
    rawLength: buf.readUInt32LE(8),
    events: buf.readUInt32LE(12),
    minTime: buf.readDoubleLE(16),
    maxTime: buf.readDoubleLE(24),
    payloadCrc: buf.readUInt32LE(32),
    codec: buf.readUInt8(36),
    layout: buf.readUInt8(CHUNK_LAYOUT_OFFSET),
  };
}

export function writeTrailer(indexOffset: number): Buffer {
  const b = Buffer.alloc(TRAILER_SIZE);
  b.writeUInt32LE(indexOffset % 0x100000000, 0);
  b.writeUInt32LE(Math.floor(indexOffset / 0x100000000), 4);
  TRAILER_MAGIC.copy(b, 8);
  return b;
}

export function readTrailer(b: Buffer): number | undefined {
  if (b.length !== TRAILER_SIZE || !b.subarray(8).equals(TRAILER_MAGIC)) return undefined;
  return b.readUInt32LE(0) + b.readUInt32LE(4) * 0x100000000;
}
