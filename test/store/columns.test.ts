import { describe, expect, it } from 'vitest';
import { Packr, Unpackr } from 'msgpackr';
import { decodeColumns, encodeColumns } from '../../src/store/columns.js';
import { requestIdFromSeed, requestIdsFromSeeds, seedOfRequestId } from '../../src/event/request-id.js';
import { openChunk, ChunkDecodeError } from '../../src/store/chunk.js';
import { checksum, Codec, LAYOUT_COLUMNS_V1, writeChunkHeader } from '../../src/store/format.js';
import { buildRecordedExchange, DEFAULT_BUILD_OPTIONS } from '../../src/event/build.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { syntheticRecords } from '../helpers/synthetic.js';

function roundTrip(records: RecordedExchange[]): RecordedExchange[] {
  return decodeColumns(encodeColumns(records));
}

function base(): RecordedExchange {
  return buildRecordedExchange(
    {
      time: 1_700_000_000_123,
      method: 'GET',
      url: 'https://www.example.com/a/b?x=1&y=%E5%AE%B6&x=2&flag',
      headers: [
        { name: 'Host', value: 'www.example.com' },
        { name: 'Accept', value: 'text/html, application/json' },
        { name: 'X-Dup', value: 'one' },
        { name: 'X-Dup', value: 'two' },
        { name: 'Cookie', value: 'a=1; b=2; a=3' },
      ],
      viewerIp: '198.51.100.7',
      response: {
        status: 200,
        statusText: 'OK',
        headers: [
          { name: 'Content-Type', value: 'text/html' },
          { name: 'Set-Cookie', value: 's=1; Path=/; Secure' },
          { name: 'Set-Cookie', value: 's=2; Path=/x' },
        ],
      },
      source: { file: 'x.har', entry: 3 },
    },
    DEFAULT_BUILD_OPTIONS,
  );
}

describe('column encoding', () => {
  it('round-trips realistic traffic exactly, including key order', () => {
    const records = syntheticRecords(3000);
    const decoded = roundTrip(records);
    expect(decoded).toEqual(records);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(records));
  });

  it('round-trips multiValue headers, query params, request and response cookies', () => {
    const r = base();
    expect(r.request.headers['x-dup']).toEqual({ value: 'one', multiValue: [{ value: 'one' }, { value: 'two' }] });
    expect(r.request.cookies['a']).toEqual({ value: '1', multiValue: [{ value: '1' }, { value: '3' }] });
    expect(r.response?.cookies['s']?.multiValue).toHaveLength(2);
    expect(roundTrip([r, r])).toEqual([r, r]);
  });

  it('stores records the columns cannot express verbatim, in their original positions', () => {
    const odd = base();
    // multiValue[0] differs from value: only possible in hand-made events
    odd.request.headers['x-odd'] = { value: 'a', multiValue: [{ value: 'b' }, { value: 'c' }] };
    const extra = { ...base(), custom: { anything: [1, 2] } } as unknown as RecordedExchange;
    const fractional = { ...base(), time: 1_700_000_000_123.5 };
    const nul = base();
    nul.request.uri = '/with\0nul';
    const realId = { ...base(), id: 'not-a-generated-id' };
    const explicitQuery = base();
    explicitQuery.request.querystring = { a: { value: 'x&y' } };
    const records = [base(), odd, base(), extra, fractional, nul, realId, explicitQuery, base()];
    expect(roundTrip(records)).toEqual(records);
  });

  it('handles empty chunks and records without response or query', () => {
    expect(roundTrip([])).toEqual([]);
    const r = base();
    delete r.response;
    delete r.rawQuery;
    r.request.querystring = {};
    expect(roundTrip([r])).toEqual([r]);
  });

  it('is deterministic: the same records give the same bytes, whether or not they have a response', () => {
    const withResponse = base();
    const without = base();
    delete without.response;
    const records = [without, withResponse, without, without];
    // Built on separate occasions (other allocations in between): no uninitialised bytes may reach the chunk.
    const first = encodeColumns(records);
    Buffer.alloc(4096, 0xab);
    expect(encodeColumns(records).equals(first)).toBe(true);
    expect(roundTrip(records)).toEqual(records);
  });

  it('the streaming encoder gives the same bytes as encoding the chunk at once, and tracks count and time range', async () => {
    const { ColumnsEncoder } = await import('../../src/store/columns.js');
    const records = syntheticRecords(700);
    const encoder = new ColumnsEncoder();
    for (const r of records) encoder.add(r);
    expect(encoder.count).toBe(700);
    expect(encoder.minTime).toBe(Math.min(...records.map((r) => r.time)));
    expect(encoder.maxTime).toBe(Math.max(...records.map((r) => r.time)));
    expect(encoder.finish().equals(encodeColumns(records))).toBe(true);
  });

  it('uses dictionaries for repeated values, keeping chunks small', () => {
    const records = syntheticRecords(2000);
    const jsonBytes = Buffer.byteLength(records.map((r) => JSON.stringify(r)).join('\n'));
    expect(encodeColumns(records).length).toBeLessThan(jsonBytes / 3);
  });
});

describe('generated request ids', () => {
  it('look like CloudFront ids and store as their seed', () => {
    for (const seed of [0, 1, 42, 2 ** 52 - 1, 987654321012]) {
      const id = requestIdFromSeed(seed);
      expect(id).toMatch(/^[A-Za-z0-9_-]{54}==$/);
      expect(seedOfRequestId(id)).toBe(seed);
    }
  });

  it('are the same strings for the same seeds, forever (every stored corpus depends on them)', () => {
    // Made by the implementation before the integer-only fast path; any change here breaks old corpora.
    const pinned: [number, string][] = [
      [0, 'WsMXnivUaGY0dc7M0j0dKmEu1wF4DPMYoJ-sqd0-qdQ4uR212_O86Q=='],
      [1, 'WsMXnivUaV00lc8dZx0eFn1uawtWYYVfPxC8ZVX1g4x1nr-r2cxvJw=='],
      [255, 'WsMXnivUlzsMVu17T5I8w74Rg7QL3RgCZsKV7e8Cb_FfNodJ8fx3pQ=='],
      [256, 'WsMXnivVaEoMdu7MI3I9L9xRFxXpo8Zg8ue_ul_z-jpQdhqASmHlwA=='],
      [4294967295, 'WsMXYdQrl280Vc17_l0cLcXuQrDYNWBowPCcaCBdrVKfHvo7r5rMsQ=='],
      [4294967296, 'WsMWnivUaGY0lc8SZz0fZxF_bGk6oRnZHW5OVjn8klNjs_-JlrvnWg=='],
      [987654321012, 'WsPyauMnHNZshk23FQq68uTOWTMHr4Ra42EciTK9TiFYqJdvWYrl1A=='],
      [2 ** 48 - 1, 'WjzoYdQrl5gtN8xrY-KvHf-rZiRnarHYoHg-YT3hfbJymFYLSSDgTA=='],
      [2 ** 48, 'W8MXnivUaIY2d87xpKPRShdgr9TGShYhQ4FRijk300KFuBkcMrGuaA=='],
      [2 ** 52 - 1, 'VTzoYdQrl3i2NM1kjh1hKnc1PCxFcghFt_PKNS3LWAmS6YABWva8ig=='],
      // Outside the seed range (a damaged chunk's varint can hold any number): the general arithmetic, unchanged.
      [2 ** 52, 'SsMXnivUaGZGdc_gRt1iKEf6ZnvGZDDp_nroH7EZajSwhp9BO4xJOg=='],
      [2 ** 53 - 1, 'RTzoYdQrl3g4NM5Pmn2mIR1symDzmUINw0A13L60OXR39EVaC-uVaA=='],
      [2 ** 56 + 3, 'WsMXnivUaGZUfuCw0Dt3qkJU4dmxT9pKQYhI1vR9_D7TjXyS_iOm6Q=='],
      [1.5, 'WsMXnivUaV00lc8dZx0eFn1uawtWYYVfPxC8ZVX1g4x1nr-r2cxvJw=='],
      [-1, 'pTzoYdQrl3g0tccqmvcW8xQvhpjYAnopK5P1SB5hk6ASwNZjv04JCA=='],
    ];
    for (const [seed, id] of pinned) expect(requestIdFromSeed(seed), `seed ${seed}`).toBe(id);
  });

  it('made many at once are the same ids back to back (the decoder slices them)', () => {
    const seeds = [0, 7, 2 ** 52 - 1, 4294967296, 123456789012, 2 ** 52, 1.5];
    expect(requestIdsFromSeeds(seeds)).toBe(seeds.map((s) => requestIdFromSeed(s)).join(''));
    expect(requestIdsFromSeeds(new Float64Array(0))).toBe('');
    // A range, and more ids than one reused block holds (REQUEST_ID_BLOCK = 64).
    expect(requestIdsFromSeeds(seeds, 2, 5)).toBe(seeds.slice(2, 5).map((s) => requestIdFromSeed(s)).join(''));
    const many = Array.from({ length: 150 }, (_, i) => i * 104729 + 3);
    expect(requestIdsFromSeeds(many)).toBe(many.map((s) => requestIdFromSeed(s)).join(''));
    // The block buffer is reused: a block made earlier keeps its characters.
    const first = requestIdsFromSeeds([1, 2]);
    requestIdsFromSeeds([3, 4]);
    expect(first).toBe(requestIdFromSeed(1) + requestIdFromSeed(2));
  });

  it('refuse ids that were not generated from a seed', () => {
    const id = requestIdFromSeed(77);
    const tampered = `${id.slice(0, 30)}${id[30] === 'A' ? 'B' : 'A'}${id.slice(31)}`;
    expect(seedOfRequestId(tampered)).toBeUndefined();
    expect(seedOfRequestId('4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==')).toBeUndefined();
    expect(seedOfRequestId('short')).toBeUndefined();
  });

  it('recognise the id made last by identity and by content, and nothing else', () => {
    const id = requestIdFromSeed(123456789);
    expect(seedOfRequestId(id)).toBe(123456789);
    expect(seedOfRequestId(`${id.slice(0, 20)}${id.slice(20)}`)).toBe(123456789);
    expect(seedOfRequestId('')).toBeUndefined();
    expect(seedOfRequestId(requestIdFromSeed(5))).toBe(5);
    expect(seedOfRequestId(id)).toBe(123456789);
  });

  it('are stable for the same capture and differ between entries', () => {
    const a = base();
    const b = base();
    expect(a.id).toBe(b.id);
    const other = buildRecordedExchange(
      { time: 1, method: 'GET', url: '/', headers: [], source: { file: 'x.har', entry: 4 } },
      DEFAULT_BUILD_OPTIONS,
    );
    expect(other.id).not.toBe(a.id);
  });
});

describe('request-only decoding', () => {
  it('gives the same records without their response, keeping verbatim records whole', async () => {
    const { ColumnsCursor } = await import('../../src/store/columns.js');
    const records = syntheticRecords(500);
    const odd = { ...base(), custom: 1 } as unknown as RecordedExchange; // stored verbatim
    const all = [...records.slice(0, 250), odd, ...records.slice(250)];
    const cursor = new ColumnsCursor(encodeColumns(all), true);
    const got: RecordedExchange[] = [];
    for (let r = cursor.next(); r !== undefined; r = cursor.next()) got.push(r);
    expect(got).toHaveLength(501);
    expect(got[250]).toEqual(odd);
    const stripped = all.map((r, i) => {
      if (i === 250) return r;
      const { response: _response, ...rest } = r;
      return rest;
    });
    expect(got).toEqual(stripped);
  });
});

describe('verbatim records keep every key (msgpackr renames __proto__ on decode)', () => {
  it('a __proto__ key and keys starting with NUL in a connection event come back as own keys, exactly', () => {
    const event = JSON.parse(
      '{"clientCertInfo":{"__proto__":{"polluted":1},"serialNumber":"AB","\\u0000x":"nul","list":[{"__proto__":2}]},"clientIp":"203.0.113.1","connectionId":"c"}',
    ) as Record<string, unknown>;
    const conn = { kind: 'connection' as const, id: 'c', time: 1_700_000_000_000, source: { file: 'f', entry: 0 }, event };
    const [, back] = decodeColumns(encodeColumns([base(), conn]));
    expect(JSON.stringify(back)).toBe(JSON.stringify(conn));
    const info = (back as typeof conn).event.clientCertInfo as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(['__proto__', 'serialNumber', '\u0000x', 'list']);
    expect(Object.getPrototypeOf(info)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a chunk whose verbatim records need no escape is written as before (no flag), and old chunks read as they were', () => {
    const conn = { kind: 'connection' as const, id: 'c', time: 1, source: { file: 'f', entry: 0 }, event: { clientIp: '1.2.3.4', connectionId: 'c' } };
    const payload = encodeColumns([conn]);
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
    expect((unpackr.unpack(payload) as { xe?: number }).xe).toBeUndefined();
    // A chunk written before the escape existed, holding a key that starts with NUL: read unchanged.
    const cols = unpackr.unpack(encodeColumns([{ ...conn, event: { ...conn.event, '\u0000k': 'v' } }])) as { x: unknown[]; xe?: number };
    expect(cols.xe).toBe(1);
    const old = new Packr({ useRecords: false }).pack({ ...cols, xe: undefined, x: [{ ...conn, event: { ...conn.event, '\u0000k': 'v' } }] });
    expect((decodeColumns(old)[0] as typeof conn).event).toEqual({ clientIp: '1.2.3.4', connectionId: 'c', '\u0000k': 'v' });
  });
});

describe('generated ids on decode', () => {
  function framedOf(payload: Buffer): Buffer {
    const header = writeChunkHeader({
      payloadLength: payload.length,
      rawLength: payload.length,
      events: (new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(payload) as { n: number }).n,
      minTime: 0,
      maxTime: 0,
      payloadCrc: checksum(payload),
      codec: Codec.None,
      layout: LAYOUT_COLUMNS_V1,
    });
    return Buffer.concat([header, payload]);
  }

  it('come back exactly, mixed with verbatim ids, in record order', () => {
    const records = syntheticRecords(300).map((r, i) => (i % 7 === 3 ? { ...r, id: `real-id-${i}` } : r));
    const got = decodeColumns(encodeColumns(records));
    expect(got.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(got.filter((r) => r.id.startsWith('real-id-'))).toHaveLength(43);
  });

  it('a chunk whose seed column is cut short is refused when opened, naming the cause', () => {
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
    const cols = unpackr.unpack(encodeColumns(syntheticRecords(50))) as { is: Uint8Array };
    expect(cols.is.length).toBeGreaterThan(50);
    const damaged = new Packr({ useRecords: false }).pack({ ...cols, is: cols.is.subarray(0, cols.is.length - 4) });
    expect(() => openChunk(framedOf(damaged))).toThrow(ChunkDecodeError);
    expect(() => openChunk(framedOf(damaged))).toThrow('cannot decode columns: varint column ends early');
    // The same chunk undamaged opens and gives every record.
    const whole = new Packr({ useRecords: false }).pack(cols);
    let count = 0;
    for (let c = openChunk(framedOf(whole)), r = c.next(); r !== undefined; r = c.next()) count++;
    expect(count).toBe(50);
  });
});

describe('skipping records', () => {
  it('skip(k) then next() gives exactly the records a full read gives after the first k, request-only or not', async () => {
    const { ColumnsCursor } = await import('../../src/store/columns.js');
    const records = syntheticRecords(400).map((r, i) => {
      if (i % 9 === 4) return { ...r, id: `real-id-${i}` }; // verbatim id column
      if (i % 11 === 5) {
        const { response: _response, ...rest } = r;
        return rest as RecordedExchange; // no response
      }
      return r;
    });
    const odd = { ...base(), custom: 1 } as unknown as RecordedExchange; // stored verbatim
    const conn = { kind: 'connection' as const, id: 'c', time: 1, source: { file: 'f', entry: 0 }, event: { clientIp: '1.2.3.4', connectionId: 'c' } };
    // Columns the synthetic traffic leaves empty: a status description, a querystring not derived from the raw query.
    // Each value differs from record to record, so a column left unread by skip() shows in the records after it.
    const extra = Array.from({ length: 40 }, (_, i): RecordedExchange => {
      const b = base();
      const response = { ...b.response!, statusDescription: `S${i}`, cookies: { s: { value: `v${i}`, attributes: `Path=/${i}` } } };
      if (i % 2 === 0) return { ...b, response };
      return { ...b, response, request: { ...b.request, querystring: { z: { value: `${i}` }, y: { value: '', multiValue: [{ value: '' }, { value: `q${i}` }] } } } };
    });
    const all = [odd, ...records.slice(0, 130), conn, odd, ...extra, ...records.slice(130), odd] as RecordedExchange[];
    const payload = encodeColumns(all);
    for (const requestOnly of [false, true]) {
      const full: unknown[] = [];
      const c0 = new ColumnsCursor(payload, requestOnly);
      for (let r = c0.next(); r !== undefined; r = c0.next()) full.push(r);
      expect(full).toHaveLength(all.length);
      for (const k of [0, 1, 2, 63, 64, 65, 100, 131, 132, 133, 150, 173, 250, all.length - 1, all.length, all.length + 5]) {
        const cursor = new ColumnsCursor(payload, requestOnly);
        expect(cursor.skip(k), `skip ${k}`).toBe(Math.min(k, all.length));
        const rest: unknown[] = [];
        for (let r = cursor.next(); r !== undefined; r = cursor.next()) rest.push(r);
        expect(rest, `after skipping ${k}, requestOnly ${requestOnly}`).toEqual(full.slice(k));
      }
      // Skips and reads interleaved.
      const cursor = new ColumnsCursor(payload, requestOnly);
      const got: unknown[] = [];
      const want: unknown[] = [];
      for (let at = 0; at < all.length; ) {
        at += cursor.skip(37);
        const r = cursor.next();
        if (r === undefined) break;
        got.push(r);
        want.push(full[at++]);
      }
      expect(got).toEqual(want);
    }
  });
});
