// HAR entries through the whole pipeline (source -> checks -> filters -> event
// builder -> sink): the CloudFront event rules on real entries, every skip
// reason, summaries, and bad input.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUILD_OPTIONS, toViewerRequestEvent, toViewerResponseEvent, type RecordedExchange } from '../../src/event/index.js';
import {
  FILTERED,
  HAR_NOTES,
  HAR_SKIP,
  HarFormatError,
  InputError,
  MemorySink,
  RecordingInterrupted,
  SKIP,
  formatSummary,
  openHarSource,
  runRecording,
  type RecordSink,
  type RecordSummary,
  type RecordingOptions,
} from '../../src/record/index.js';

const fixtures = new URL('../fixtures/har/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'cfreplay-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function record(files: string[], options: RecordingOptions = {}, sink = new MemorySink()) {
  const sources = await Promise.all(files.map((f) => openHarSource(f)));
  const summary = await runRecording(sources, sink, options);
  return { summary, records: sink.records, sink };
}

function byEntry(records: RecordedExchange[], entry: number): RecordedExchange {
  const r = records.find((x) => x.source.entry === entry);
  if (r === undefined) throw new Error(`entry ${entry} not recorded`);
  return r;
}

function reasons(s: RecordSummary['skipped']): Record<string, number> {
  return Object.fromEntries(s.reasons.map((r) => [r.reason, r.count]));
}

function writeHar(name: string, entries: unknown[], prefix = ''): string {
  const path = join(tmp, name);
  writeFileSync(path, prefix + JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }));
  return path;
}

const entry = (url: string, headers: { name: string; value: string }[] = [{ name: 'Host', value: 'www.example.com' }], extra: Record<string, unknown> = {}) => ({
  startedDateTime: '2024-05-01T10:00:00.000Z',
  request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers, queryString: [], cookies: [], headersSize: -1, bodySize: -1 },
  response: { status: 200, statusText: 'OK', headers: [], cookies: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: -1 },
  ...extra,
});

describe('edge-cases.har through the pipeline', async () => {
  const { summary, records } = await record([`${fixtures}edge-cases.har`]);

  it('counts every entry: recorded + skipped = read', () => {
    expect(summary.entriesRead).toBe(19);
    expect(summary.recordsWritten + summary.skipped.total + summary.filtered.total).toBe(19);
    expect(summary.recordsWritten).toBe(records.length);
  });

  it('skips each unrecordable entry with its reason', () => {
    expect(reasons(summary.skipped)).toEqual({
      [HAR_SKIP.fromCache]: 1,
      [SKIP.dataUrl]: 1,
      [SKIP.blobUrl]: 1,
      [SKIP.nonHttpUrl]: 1,
      [HAR_SKIP.noUrl]: 1,
      [SKIP.invalidUrl]: 1,
      [SKIP.noMethod]: 1,
      [SKIP.badTime]: 1,
      [HAR_SKIP.serviceWorker]: 1,
      [HAR_SKIP.notObject]: 1,
    });
    const first = summary.skipped.reasons.find((r) => r.reason === SKIP.nonHttpUrl)!.first;
    expect(first).toMatchObject({ file: 'edge-cases.har', entry: 5 });
    expect(first.detail).toMatch(/^chrome-extension:/);
  });

  it('says why some records give no viewer-response event', () => {
    expect(summary.viewerResponseEvents + summary.noViewerResponse.total).toBe(summary.recordsWritten);
    expect(reasons(summary.noViewerResponse)).toEqual({
      'no response captured': 1,
      'request failed, aborted or blocked (HAR status 0)': 1,
      'interim 1xx response': 1,
      'origin status >= 400': 1,
    });
  });

  it('follows the CloudFront event rules on a real HTTP/1.1 entry', () => {
    const r = byEntry(records, 0);
    expect(r.time).toBe(Date.parse('2024-05-01T10:00:00.123Z'));
    expect(r.source).toEqual({ file: 'edge-cases.har', entry: 0 });
    expect(r.viewerIp).toBe(DEFAULT_BUILD_OPTIONS.defaultViewerIp);
    expect(r.distributionDomainName).toBe(DEFAULT_BUILD_OPTIONS.distributionDomainName);
    const req = r.request;
    expect(req.uri).toBe('/search/caf%C3%A9');
    // raw query from the URL, not the decoded queryString[]
    expect(r.rawQuery).toBe('q=%E5%AE%B6&a&b=&a=2&plus=a+b');
    expect(req.querystring).toEqual({
      q: { value: '%E5%AE%B6' },
      a: { value: '', multiValue: [{ value: '' }, { value: '2' }] },
      b: { value: '' },
      plus: { value: 'a+b' },
    });
    expect(req.headers['x-dup']).toEqual({ value: '1', multiValue: [{ value: '1' }, { value: '2' }] });
    expect(req.headers.accept).toEqual({ value: 'text/html, application/json;q=0.9' });
    expect(req.headers.host).toEqual({ value: 'www.example.com' });
    for (const dropped of ['connection', 'x-forwarded-proto', 'x-amz-cf-id', 'cookie']) expect(req.headers[dropped]).toBeUndefined();
    expect(req.cookies).toEqual({ session: { value: 'abc', multiValue: [{ value: 'abc' }, { value: 'def' }] }, theme: { value: 'dark' } });
    const res = r.response!;
    expect(res.statusCode).toBe(200);
    expect(res.statusDescription).toBe('OK');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toEqual({ value: 'no-cache, no-store' });
    // Set-Cookie lines joined by '\n' in one HAR header
    expect(res.cookies).toEqual({ a: { value: '1', attributes: 'Path=/; Secure' }, b: { value: '2', attributes: 'HttpOnly' } });
    expect(JSON.stringify(r)).not.toContain('not the end'); // no body anywhere
    expect(toViewerResponseEvent(r)?.context.eventType).toBe('viewer-response');
  });

  it('maps HTTP/2 pseudo-headers (:authority -> host, others dropped)', () => {
    const r = byEntry(records, 1);
    expect(Object.keys(r.request.headers)).toEqual(['host', 'accept']);
    expect(r.request.headers.host).toEqual({ value: 'h2.example.com' });
    expect(r.request.cookies).toEqual({ k: { value: 'v' } });
    expect(r.response!.cookies.x).toEqual({ value: '1', attributes: '', multiValue: [{ value: '1', attributes: '' }, { value: '2', attributes: 'Max-Age=60' }] });
  });

  it('keeps requests without a response, and status-0 requests without their response', () => {
    const noResponse = byEntry(records, 10);
    expect(noResponse.response).toBeUndefined();
    expect(toViewerRequestEvent(noResponse).request.uri).toBe('/no-response');
    expect(byEntry(records, 11).response).toBeUndefined();
  });

  it('records websocket upgrades (101: no viewer-response), 404s, string statuses', () => {
    const ws = byEntry(records, 12);
    expect(ws.request.headers.upgrade).toBeUndefined();
    expect(ws.request.headers['sec-websocket-version']).toEqual({ value: '13' });
    expect(toViewerResponseEvent(ws)).toBeUndefined();
    expect(toViewerResponseEvent(byEntry(records, 13))).toBeUndefined();
    expect(byEntry(records, 15).response!.statusCode).toBe(304);
  });

  it('rebuilds Cookie and Set-Cookie from cookies[] when the headers are missing', () => {
    const r = byEntry(records, 14);
    expect(r.request.cookies).toEqual({ sid: { value: 's1' }, lang: { value: 'de' } });
    expect(r.response!.cookies.sid).toEqual({
      value: 's2',
      attributes: 'Expires=Tue, 01 Jan 2030 00:00:00 GMT; Domain=.example.com; Path=/; Secure; HttpOnly; SameSite=Lax',
    });
    expect(summary.notes).toEqual(
      expect.arrayContaining([
        { note: HAR_NOTES.cookieRebuilt, count: 1 },
        { note: HAR_NOTES.setCookieRebuilt, count: 1 },
      ]),
    );
  });

  it('POST bodies never reach the record', () => {
    const r = byEntry(records, 18);
    expect(r.request.method).toBe('POST');
    expect(r.request.querystring).toEqual({ dry: { value: '1' } });
    expect(JSON.stringify(r)).not.toContain('items');
  });

  it('gives stable request ids', async () => {
    const again = await record([`${fixtures}edge-cases.har`]);
    expect(again.records.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  });

  it('renders a human summary', () => {
    const text = formatSummary(summary);
    expect(text).toMatch(/entries read\s+19/);
    expect(text).toMatch(/served from the browser cache \(_fromCache\), never reached the CDN\s+1\s+\(first: edge-cases\.har entry 2/);
    expect(text).toMatch(/bytes written\s+[\d,]+ \(\d+\.\d bytes per exchange\)/);
  });
});

describe('options', () => {
  it('--viewer-ip and the distribution go into every record', async () => {
    const { records } = await record([`${fixtures}chrome-sanitized.har`], {
      build: { defaultViewerIp: '198.51.100.7', distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1ABC' },
    });
    for (const r of records) expect([r.viewerIp, r.distributionDomainName, r.distributionId]).toEqual(['198.51.100.7', 'd1.cloudfront.net', 'E1ABC']);
  });

  it('filters by host, URL and method, counting what they drop', async () => {
    const edge = `${fixtures}edge-cases.har`;
    const a = await record([edge], { filters: { includeHosts: ['*.example.com'], excludeHosts: ['ws.example.com'] } });
    expect(a.records.every((r) => r.request.headers.host?.value.endsWith('.example.com'))).toBe(true);
    expect(reasons(a.summary.filtered)).toEqual({ [FILTERED.includeHost]: 1, [FILTERED.excludeHost]: 1 });
    const b = await record([edge], { filters: { include: ['/search/', '\\.js(\\?|$)'], methods: ['get'] } });
    expect(b.records.map((r) => r.request.uri).sort()).toEqual(['/app.js', '/search/caf%C3%A9']);
    expect(reasons(b.summary.filtered)).toMatchObject({ [FILTERED.method]: 1 });
    const c = await record([edge], { filters: { exclude: ['^https?://www\\.example\\.com/'] } });
    expect(c.records.some((r) => r.request.headers.host?.value === 'www.example.com')).toBe(false);
    await expect(record([edge], { filters: { include: ['('] } })).rejects.toThrow(/--include: invalid regular expression "\("/);
    await expect(record([edge], { filters: { includeHosts: ['a*b.com'] } })).rejects.toBeInstanceOf(InputError);
  });

  it('warns when a Chrome HAR looks sanitized (no cookies at all)', async () => {
    const { summary } = await record([`${fixtures}chrome-sanitized.har`]);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings[0]).toMatch(/chrome-sanitized\.har: no Cookie, Set-Cookie or Authorization anywhere in 2 requests: the HAR looks sanitized/);
    const edge = await record([`${fixtures}edge-cases.har`]);
    expect(edge.summary.warnings).toEqual([]);
  });

  it('several files go into one output, with a line each', async () => {
    const { summary } = await record([`${fixtures}edge-cases.har`, `${fixtures}chrome-sanitized.har`]);
    expect(summary.sources.map((s) => [s.entriesRead, s.recordsWritten])).toEqual([
      [19, 9],
      [2, 2],
    ]);
    expect(summary.sources[0]!.info.creator).toBe('cfreplay hand-made fixture 1');
  });
});

describe('CloudFront limits and odd inputs', () => {
  it('skips URLs over 8,192 bytes and requests over 20,480 bytes', async () => {
    const file = writeHar('limits.har', [
      entry(`https://www.example.com/${'a'.repeat(8200)}`),
      entry('https://www.example.com/big-cookie', [
        { name: 'Host', value: 'www.example.com' },
        { name: 'Cookie', value: `c=${'x'.repeat(20500)}` },
      ]),
      entry(`https://www.example.com/${'b'.repeat(8000)}`),
    ]);
    const { summary } = await record([file]);
    expect(reasons(summary.skipped)).toEqual({ [SKIP.urlTooLong]: 1, [SKIP.requestTooLarge]: 1 });
    expect(summary.recordsWritten).toBe(1);
  });

  it('reads a BOM, a gzip-compressed HAR, and invalid UTF-8 without failing', async () => {
    const bom = writeHar('bom.har', [entry('https://www.example.com/bom')], '\ufeff');
    expect((await record([bom])).records[0]!.request.uri).toBe('/bom');
    const plain = JSON.stringify({ log: { entries: [entry('https://www.example.com/gz')] } });
    const gz = join(tmp, 'x.har.gz');
    writeFileSync(gz, gzipSync(plain));
    const g = await record([gz]);
    expect(g.records[0]!.request.uri).toBe('/gz');
    expect(g.summary.sources[0]!.info.compression).toBe('gzip');
    const bad = join(tmp, 'latin1.har');
    writeFileSync(bad, Buffer.concat([Buffer.from('{"log":{"entries":[{"startedDateTime":"2024-05-01T10:00:00Z","request":{"method":"GET","url":"https://e.com/","headers":[{"name":"X","value":"caf'), Buffer.from([0xe9]), Buffer.from('"}]}}]}}')]));
    expect((await record([bad])).records[0]!.request.headers.x).toEqual({ value: 'caf\ufffd' });
  });
});

describe('bad input: one-line errors naming the file and place, sink aborted', () => {
  class TrackingSink extends MemorySink {}

  async function failing(path: string): Promise<{ err: Error; sink: RecordSink & { state: string } }> {
    const sink = new TrackingSink();
    sink.write({} as RecordedExchange); // something was written before the error
    try {
      await record([`${fixtures}chrome-sanitized.har`, path], {}, sink);
    } catch (e) {
      return { err: e as Error, sink };
    }
    throw new Error('expected an error');
  }

  it.each([
    ['not JSON', 'notjson.har', 'this is not json', /notjson\.har: not JSON: the file starts with the text "this" \(expected a HAR: JSON with a "log" object\) at line 1, column 1, byte 0$/],
    ['truncated', 'trunc.har', '{"log":{"entries":[{"request":{"url":"https://e.com/"', /trunc\.har: truncated JSON: the file ends inside log\.entries\[0\] \(which starts at line 1, byte 19\)/],
    ['JSON that is not a HAR', 'package.json', '{"name":"x","version":"1.0.0"}', /package\.json: not a HAR: no top-level "log" member \(top-level members: "name", "version"\)/],
    ['an entry with bad JSON inside a string', 'badesc.har', '{"log":{"entries":[{"request":{"url":"\\x"}}]}}', /badesc\.har: not valid JSON in log\.entries\[0\] \(starting at line 1, byte 19\): /],
    ['a corrupt gzip file', 'bad.har.gz', Buffer.concat([gzipSync('{"log":{"entries":[]}}').subarray(0, 12)]), /bad\.har\.gz: (not a valid gzip file|truncated)/],
  ])('%s', async (_n, name, content, re) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    const { err, sink } = await failing(path);
    expect(err.message).toMatch(re);
    expect(err.message).not.toContain('\n');
    expect((err as Error & { userFacing?: boolean }).userFacing).toBe(true);
    expect(sink.state).toBe('aborted');
  });

  it('the fixture truncated.har', async () => {
    const { err } = await failing(`${fixtures}truncated.har`);
    expect(err).toBeInstanceOf(HarFormatError);
    expect(err.message).toMatch(/truncated\.har: truncated JSON: the file ends inside log\.entries\[1\] \(which starts at line \d+, byte \d+\) at line \d+, column \d+, byte 1499$/);
  });

  it('an interrupted recording (Ctrl-C) aborts the sink', async () => {
    const sink = new MemorySink();
    const controller = new AbortController();
    controller.abort();
    await expect(record([`${fixtures}edge-cases.har`], { signal: controller.signal }, sink)).rejects.toBeInstanceOf(RecordingInterrupted);
    expect(sink.state).toBe('aborted');
  });

  it('a missing file and a directory are user errors before anything is read', async () => {
    await expect(openHarSource(join(tmp, 'nope.har'))).rejects.toThrow(/nope\.har: HAR file not found$/);
    await expect(openHarSource(tmp)).rejects.toThrow(/is a directory, expected a HAR file$/);
  });
});
