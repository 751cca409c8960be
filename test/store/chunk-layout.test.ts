// Chunk layout 2 (store/format.ts): the request columns and the response columns compressed
// apart, so a request-only reader (a viewer-request replay) never decompresses the response
// part; format version 2, and the corpora of version 1 (layout 1) that stay readable.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ColumnsCursor, remainingRecords } from '../../src/store/columns.js';
import { ChunkDecodeError, encodeChunk, isUnknownLayoutError, openChunk } from '../../src/store/chunk.js';
import {
  CHUNK_HEADER_SIZE,
  FILE_VERSION_OFFSET,
  FORMAT_VERSION,
  LAYOUT_COLUMNS_V1,
  LAYOUT_COLUMNS_V2,
  PARTS_HEADER_SIZE,
  checksum,
  readChunkHeader,
  writeChunkHeader,
} from '../../src/store/format.js';
import { CorpusError, createCorpusWriter, openCorpusFile } from '../../src/store/index.js';
import type { CorpusRecord } from '../../src/event/connection.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { corpusStats, formatCorpusStats } from '../../src/inspect/corpus-stats.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { useTempDir } from '../helpers/tmp.js';

const FIXTURE_V1 = new URL('../fixtures/store/layout1.cfr', import.meta.url).pathname;
// The records of FIXTURE_V1, as the cfreplay that wrote it (format 1, chunks of layout 1) read
// them: 400 from recordings/sample.cfr and the 9 of test/fixtures/har/edge-cases.har, 3 chunks.
const FIXTURE_V1_RECORDS = 409;
const FIXTURE_V1_DIGEST = 'eadb0ba3ef4b2469c843e0b21c3edd13093b79082fe38aba911ef06050e0f5a9';

const digest = (records: readonly CorpusRecord[]): string => createHash('sha256').update(JSON.stringify(records)).digest('hex');

const withoutResponse = (records: readonly RecordedExchange[]): RecordedExchange[] =>
  records.map((r) => {
    const { response: _response, ...rest } = r;
    return rest;
  });

async function readAll(path: string): Promise<CorpusRecord[]> {
  const c = await openCorpusFile(path);
  try {
    const out: CorpusRecord[] = [];
    for await (const r of c.records()) out.push(r);
    return out;
  } finally {
    await c.close();
  }
}

/** The chunk with its payload replaced (header lengths and checksums made to fit: only the payload's content is wrong). */
function reframe(framed: Buffer, payload: Buffer): Buffer {
  const h = readChunkHeader(framed);
  if (typeof h === 'string') throw new Error(h);
  return Buffer.concat([writeChunkHeader({ ...h, payloadLength: payload.length, payloadCrc: checksum(payload) }), payload]);
}

describe('chunk layout 2', () => {
  const records = syntheticRecords(600);

  it('is what a chunk is written as: both parts, and every record back exactly', async () => {
    const framed = await encodeChunk(records);
    const h = readChunkHeader(framed);
    if (typeof h === 'string') throw new Error(h);
    expect(h.layout).toBe(LAYOUT_COLUMNS_V2);
    const payload = framed.subarray(CHUNK_HEADER_SIZE);
    const requestLength = payload.readUInt32LE(0);
    expect(PARTS_HEADER_SIZE + requestLength).toBeLessThan(payload.length); // a response part follows
    expect(payload.readUInt32LE(4)).toBeLessThan(h.rawLength);
    expect(remainingRecords(openChunk(framed))).toEqual(records);
  });

  it('a request-only read gives the records without their response, and never decompresses the response part', async () => {
    const framed = await encodeChunk(records);
    expect(remainingRecords(openChunk(framed, true))).toEqual(withoutResponse(records));
    // The response stream replaced by bytes no decompressor accepts, checksums fitted: a
    // request-only read does not notice; a whole read reports it.
    const payload = Buffer.from(framed.subarray(CHUNK_HEADER_SIZE));
    const responseAt = PARTS_HEADER_SIZE + payload.readUInt32LE(0);
    payload.fill(0xff, responseAt);
    const damaged = reframe(framed, payload);
    expect(remainingRecords(openChunk(damaged, true))).toEqual(withoutResponse(records));
    expect(() => openChunk(damaged)).toThrow(ChunkDecodeError);
    expect(() => openChunk(damaged)).toThrow(/cannot decompress/);
  });

  it('skip() on a request-only cursor of a layout-2 chunk passes records as a full cursor does', async () => {
    const framed = await encodeChunk(records);
    const cursor = openChunk(framed, true);
    expect(cursor.skip(250)).toBe(250);
    expect(remainingRecords(cursor)).toEqual(withoutResponse(records.slice(250)));
  });

  it('part lengths that do not fit the payload or the raw length are refused, naming them', async () => {
    const framed = await encodeChunk(records);
    const payload = Buffer.from(framed.subarray(CHUNK_HEADER_SIZE));
    const tooLong = Buffer.from(payload);
    tooLong.writeUInt32LE(payload.length, 0);
    expect(() => openChunk(reframe(framed, tooLong))).toThrow(new ChunkDecodeError(`request part of ${payload.length} bytes in a payload of ${payload.length}`));
    const tooRaw = Buffer.from(payload);
    tooRaw.writeUInt32LE(0xffffffff, 4);
    expect(() => openChunk(reframe(framed, tooRaw), true)).toThrow(/request part of 4294967295 raw bytes in a chunk of \d+/);
    expect(() => openChunk(reframe(framed, payload.subarray(0, 5)))).toThrow(new ChunkDecodeError('payload too short for its two parts'));
    // A response part that is a valid stream but not the response columns.
    const { brotliCompressSync } = await import('node:zlib');
    const { Packr } = await import('msgpackr');
    const notColumns = brotliCompressSync(new Packr({ useRecords: false }).pack({ rp: new Uint8Array(0) }));
    const swapped = Buffer.concat([payload.subarray(0, PARTS_HEADER_SIZE + payload.readUInt32LE(0)), notColumns]);
    expect(() => openChunk(reframe(framed, swapped))).toThrow(/cannot decode columns: the response part has no column rs/);
  });

  it('an unknown layout is refused as written by a newer cfreplay', async () => {
    const framed = Buffer.from(await encodeChunk(records.slice(0, 10)));
    const h = readChunkHeader(framed);
    if (typeof h === 'string') throw new Error(h);
    const relabelled = Buffer.concat([writeChunkHeader({ ...h, layout: 3 }), framed.subarray(CHUNK_HEADER_SIZE)]);
    expect(() => openChunk(relabelled)).toThrow(new ChunkDecodeError('unknown chunk layout 3 (written by a newer cfreplay?)'));
    // Told apart from damage (a distributed coordinator stops on it: a worker older than the corpus),
    // in this wording and in that of format-1 cfreplay ("unknown chunk layout 2").
    expect(isUnknownLayoutError('unknown chunk layout 3 (written by a newer cfreplay?)')).toBe(true);
    expect(isUnknownLayoutError('unknown chunk layout 2')).toBe(true);
    expect(isUnknownLayoutError('payload checksum mismatch')).toBe(false);
    expect(isUnknownLayoutError('cannot decode columns: unknown column layout version 9')).toBe(false);
  });

  it('a cursor over the two parts wants the response part unless it reads requests only', async () => {
    const { ColumnsEncoder } = await import('../../src/store/columns.js');
    const encoder = new ColumnsEncoder();
    for (const r of records.slice(0, 20)) encoder.add(r);
    const parts = encoder.finishParts();
    expect(remainingRecords(new ColumnsCursor(parts))).toEqual(records.slice(0, 20));
    expect(remainingRecords(new ColumnsCursor({ request: parts.request, response: undefined }, true))).toEqual(withoutResponse(records.slice(0, 20)));
    expect(() => new ColumnsCursor({ request: parts.request, response: undefined })).toThrow(/the response part is needed/);
  });
});

describe('corpus format versions', () => {
  const tmp = useTempDir();

  it('a corpus of format 1 (chunks of layout 1) reads as the cfreplay that wrote it read it, whole and request-only', async () => {
    const c = await openCorpusFile(FIXTURE_V1);
    try {
      expect(c.summary().formatVersion).toBe(1);
      const all: CorpusRecord[] = [];
      const requestOnly: CorpusRecord[] = [];
      for (const chunk of c.chunks) {
        const framed = await c.readFramedChunk(chunk.index);
        const h = readChunkHeader(framed);
        expect(typeof h === 'string' ? h : h.layout).toBe(LAYOUT_COLUMNS_V1);
        all.push(...remainingRecords(openChunk(framed)));
        requestOnly.push(...remainingRecords(openChunk(framed, true)));
      }
      expect(all).toHaveLength(FIXTURE_V1_RECORDS);
      expect(digest(all)).toBe(FIXTURE_V1_DIGEST);
      expect(requestOnly).toEqual(all.map((r) => ('request' in r && 'response' in r ? withoutResponse([r as RecordedExchange])[0] : r)));
    } finally {
      await c.close();
    }
  });

  it('a corpus is written as format 2', async () => {
    const path = join(tmp.path, 'new.cfr');
    const w = await createCorpusWriter(path, { chunkEvents: 100 });
    for (const r of syntheticRecords(150)) await w.write(r);
    await w.close();
    expect(readFileSync(path).readUInt16LE(FILE_VERSION_OFFSET)).toBe(FORMAT_VERSION);
    expect(FORMAT_VERSION).toBe(2);
    const c = await openCorpusFile(path);
    expect(c.summary().meta['layout']).toBe('columns-v2');
    await c.close();
  });

  it('appending to a format-1 corpus adds layout-2 chunks and marks the file format 2; an aborted append leaves it format 1', async () => {
    const path = join(tmp.path, 'old.cfr');
    copyFileSync(FIXTURE_V1, path);
    const more = syntheticRecords(250, 7);
    const aborted = await createCorpusWriter(path, { append: true, chunkEvents: 100 });
    for (const r of more) await aborted.write(r);
    await aborted.abort();
    expect(readFileSync(path)).toEqual(readFileSync(FIXTURE_V1));

    const w = await createCorpusWriter(path, { append: true, chunkEvents: 100 });
    for (const r of more) await w.write(r);
    await w.close();
    expect(readFileSync(path).readUInt16LE(FILE_VERSION_OFFSET)).toBe(2);
    const c = await openCorpusFile(path);
    const layouts: number[] = [];
    for (const chunk of c.chunks) {
      const h = readChunkHeader(await c.readFramedChunk(chunk.index));
      layouts.push(typeof h === 'string' ? -1 : h.layout);
    }
    await c.close();
    expect(layouts).toEqual([1, 1, 1, 2, 2, 2]);
    // inspect says so: the version, and the chunks by layout.
    const mixed = await openCorpusFile(path);
    const stats = await corpusStats(mixed);
    await mixed.close();
    expect(stats.format).toEqual({ version: 2, chunkLayouts: { '1': 3, '2': 3 } });
    expect(formatCorpusStats(stats)).toContain('format       version 2, chunks: 3 of layout 1, 3 of layout 2');
    const old = await openCorpusFile(FIXTURE_V1);
    expect((await corpusStats(old)).format).toEqual({ version: 1, chunkLayouts: { '1': 3 } });
    await old.close();
    const back = await readAll(path);
    expect(digest(back.slice(0, FIXTURE_V1_RECORDS))).toBe(FIXTURE_V1_DIGEST);
    expect(back.slice(FIXTURE_V1_RECORDS)).toEqual(more);
  });

  it('a corpus of a newer format version is refused: upgrade cfreplay', async () => {
    const path = join(tmp.path, 'future.cfr');
    const bytes = Buffer.from(readFileSync(FIXTURE_V1));
    bytes.writeUInt16LE(FORMAT_VERSION + 1, FILE_VERSION_OFFSET);
    writeFileSync(path, bytes);
    await expect(openCorpusFile(path)).rejects.toThrow(
      new CorpusError(`${path}: corpus format version ${FORMAT_VERSION + 1} is not supported by this cfreplay (it reads versions 1 to ${FORMAT_VERSION}); upgrade cfreplay`),
    );
    bytes.writeUInt16LE(0, FILE_VERSION_OFFSET);
    writeFileSync(path, bytes);
    await expect(openCorpusFile(path)).rejects.toThrow(/corpus format version 0 is not supported/);
  });
});
