// GoReplay source: hand-made files (requests only with 3-field headers; every record kind), gzip, bad input.
// The real DataDog capture is in the captures suite (test/captures/gor.test.ts).
import { gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { GOR_SKIP, openGorSource } from '../../src/record/gor/gor-source.js';
import { GorSplitter, parseGorRecord } from '../../src/record/gor/parse.js';
import { useTempDir } from '../helpers/tmp.js';

const root = new URL('../../', import.meta.url).pathname;
const requestsOnly = join(root, 'test/fixtures/gor/sessions-3field.gor');
const mixed = join(root, 'test/fixtures/gor/mixed.gor');

async function record(path: string, options = {}) {
  const sink = new MemorySink();
  const summary = await runRecording([await openGorSource(path, options)], sink);
  return { summary, records: sink.records };
}

describe('record gor', () => {
  const tmp = useTempDir();

  it('records a requests-only file with 3-field headers (no latency) with the event rules', async () => {
    const { summary, records } = await record(requestsOnly);
    expect(summary.recordsWritten).toBe(24);
    expect(summary.skipped.total).toBe(0);
    const [first, second, post] = records;
    expect(first!.time).toBe(1709800000000);
    expect(second!.time).toBe(1709800000250);
    expect(first!.request.method).toBe('GET');
    expect(first!.request.uri).toBe('/products/0');
    expect(first!.rawQuery).toBe('page=2&sort=price');
    expect(first!.request.headers.host).toEqual({ value: 'shop.example.com' });
    // Connection is dropped (disallowed), Cookie parsed into cookies, not in headers.
    expect(first!.request.headers.connection).toBeUndefined();
    expect(first!.request.headers.cookie).toBeUndefined();
    expect(first!.request.cookies).toEqual({ csrftoken: { value: 'tok0AbC' }, _shop_session: { value: 'sess0%2Bx' }, tracker: { value: 'p%3Dt' } });
    expect(post!.request.method).toBe('POST');
    expect(first!.response).toBeUndefined();
    expect(summary.sources[0]!.info.format).toMatch(/3-field/);
  });

  it('joins requests with their original response by id, in request order; ignores replayed responses; counts broken records', async () => {
    const { summary, records } = await record(mixed, { trustForwarded: true });
    expect(records.map((r) => r.request.uri)).toEqual(['/one', '/form', '/old']);
    const [one, form, old] = records;
    expect(one!.response?.statusCode).toBe(200);
    expect(one!.response?.cookies.session).toEqual({ value: 's1', attributes: 'Path=/' });
    expect(one!.rawQuery).toBe('a=1&a=2');
    expect(one!.request.querystring.a).toEqual({ value: '1', multiValue: [{ value: '1' }, { value: '2' }] });
    expect(one!.viewerIp).toBe('198.51.100.7'); // first X-Forwarded-For hop
    // The response came before its request in the file.
    expect(form!.response?.statusCode).toBe(404);
    expect(old!.response).toBeUndefined();
    expect(old!.request.headers['x-long']).toEqual({ value: 'part one part two' });
    const reasons = Object.fromEntries(summary.skipped.reasons.map((r) => [r.reason, r.count]));
    expect(reasons[GOR_SKIP.broken]).toBe(2);
    expect(reasons[GOR_SKIP.replayed]).toBe(1);
    expect(reasons[GOR_SKIP.orphanResponse]).toBe(1);
    expect(summary.notes).toContainEqual({ note: 'malformed header lines ignored', count: 1 });
  });

  it('without --trust-forwarded the viewer IP is the default (GoReplay has no client address)', async () => {
    const { records } = await record(mixed);
    expect(records[0]!.viewerIp).toBe('203.0.113.10');
  });

  it('reads gzip-compressed files and gives the same records', async () => {
    const gz = join(tmp.path, 'mixed.gor.gz');
    writeFileSync(gz, gzipSync(readFileSync(mixed)));
    const plain = await record(mixed);
    const zipped = await record(gz);
    expect(zipped.records.map((r) => r.request)).toEqual(plain.records.map((r) => r.request));
    expect(zipped.summary.sources[0]!.info.compression).toBe('gzip');
  });

  it('cuts records at the separator whatever the chunking', () => {
    const bytes = readFileSync(mixed);
    const whole = new GorSplitter().push(bytes).map((b) => b.toString('latin1'));
    for (const size of [1, 7, 64]) {
      const s = new GorSplitter();
      const got: string[] = [];
      for (let i = 0; i < bytes.length; i += size) got.push(...s.push(bytes.subarray(i, i + size)).map((b) => b.toString('latin1')));
      const last = s.end();
      if (last !== undefined) got.push(last.toString('latin1'));
      expect(got).toEqual(whole);
    }
  });

  it('parses 4-field and 3-field headers; rejects broken ones', () => {
    const r4 = parseGorRecord(Buffer.from('1 abc 1700000000123456789 42\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n'));
    expect(r4).toMatchObject({ ok: true, head: { type: 1, id: 'abc', time: 1700000000123 } });
    const r3 = parseGorRecord(Buffer.from('2 abc 1700000000123456789\nHTTP/1.1 301 Moved Permanently\r\nLocation: /y\r\n\r\n'));
    expect(r3).toMatchObject({ ok: true, response: { status: 301, statusText: 'Moved Permanently' } });
    expect(parseGorRecord(Buffer.from('1 abc\nGET / HTTP/1.1\r\n\r\n')).ok).toBe(false);
    expect(parseGorRecord(Buffer.from('1 abc 123 x\nGET / HTTP/1.1\r\n\r\n')).ok).toBe(false);
    expect(parseGorRecord(Buffer.from('1 abc 1700000000123456789 0\nGET\r\n\r\n')).ok).toBe(false);
  });

  it('a file that is not GoReplay at all: a one-line input error (exit 2 in the CLI), like a broken HAR', async () => {
    const p = join(tmp.path, 'notgor.gor');
    writeFileSync(p, 'hello world\nthis is text\n');
    await expect(record(p)).rejects.toThrow(/notgor\.gor: not a GoReplay file: none of its 1 record\(s\) is readable/);
  });

  it('a missing file is a one-line error', async () => {
    await expect(openGorSource(join(tmp.path, 'nope.gor'))).rejects.toThrow(/nope\.gor: GoReplay file \(\.gor\) not found/);
  });
});
