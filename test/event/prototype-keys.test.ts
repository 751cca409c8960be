// Query parameters, headers and cookies named __proto__, constructor,
// toString and hasOwnProperty: recorded from every source (HAR, proxy,
// GoReplay, CloudFront logs, events) as own properties, kept by the corpus
// (encode/decode), handed to the function as own properties, compared by the
// diff under their own names, and never touching Object.prototype anywhere.
import { describe, expect, it, afterEach } from 'vitest';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySink, runRecording, openHarSource, openGorSource, openCflogSource, openEventSources } from '../../src/record/index.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { parseRawQuery, parseCookieHeader, parseSetCookieHeaders } from '../../src/event/build.js';
import { toEvent } from '../../src/event/views.js';
import { createCorpusWriter, openCorpusFile } from '../../src/store/index.js';
import { effectiveQuery, effectiveMap } from '../../src/runtime/effective.js';
import { useTempDir } from '../helpers/tmp.js';
import { recordThroughProxy } from '../helpers/proxy-recording.js';
import { requireCliBuilt, runCli } from '../helpers/cli-process.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const LOWER = NAMES.map((n) => n.toLowerCase());
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

function expectUnpolluted(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
  const probe = {} as Record<string, unknown>;
  expect([probe['value'], probe['multiValue'], probe['attributes']]).toEqual([undefined, undefined, undefined]);
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  expect(typeof Object.prototype.toString).toBe('function');
}

function ownNames(map: object): string[] {
  return Object.keys(map).filter((k) => Object.hasOwn(map, k) && NAMES.concat(LOWER).includes(k));
}

/** Every probe name present as an own property, with the values the capture had. */
function expectRecord(r: RecordedExchange, opts: { headers?: boolean; cookies?: boolean; query?: boolean } = {}): void {
  const q = r.request.querystring;
  if (opts.query !== false) {
    expect(ownNames(q)).toEqual(NAMES);
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toEqual({ value: 'q1', multiValue: [{ value: 'q1' }, { value: 'q1b' }] });
    expect(Object.getOwnPropertyDescriptor(q, 'constructor')?.value).toEqual({ value: 'q2' });
  }
  if (opts.headers !== false) {
    expect(ownNames(r.request.headers)).toEqual(LOWER);
    expect(Object.getOwnPropertyDescriptor(r.request.headers, '__proto__')?.value).toEqual({ value: 'h1' });
  }
  if (opts.cookies !== false) {
    expect(ownNames(r.request.cookies)).toEqual(NAMES);
    expect(Object.getOwnPropertyDescriptor(r.request.cookies, '__proto__')?.value).toEqual({ value: 'c1' });
  }
  expectUnpolluted();
}

const QUERY = '__proto__=q1&constructor=q2&toString=q3&hasOwnProperty=q4&__proto__=q1b';
const COOKIE = '__proto__=c1; constructor=c2; toString=c3; hasOwnProperty=c4';
const HEADER_LINES = NAMES.map((n, i) => `${n}: h${i + 1}`);

async function recordAll(sources: Parameters<typeof runRecording>[0]): Promise<RecordedExchange[]> {
  const sink = new MemorySink();
  await runRecording(sources, sink);
  return sink.records;
}

describe('prototype-named keys', () => {
  const tmp = useTempDir();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
  });

  it('the parsers keep them as own properties and leave Object.prototype alone', () => {
    const q = parseRawQuery(QUERY);
    expect(Object.keys(q)).toEqual(NAMES);
    expect(q['__proto__' as string]).toEqual({ value: 'q1', multiValue: [{ value: 'q1' }, { value: 'q1b' }] });
    const c = parseCookieHeader([COOKIE]);
    expect(Object.keys(c)).toEqual(NAMES);
    const s = parseSetCookieHeaders(['__proto__=s1; Path=/', 'constructor=s2', '__proto__=s3']);
    expect(Object.keys(s)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(s, '__proto__')?.value.multiValue).toHaveLength(2);
    // The effective forms the diff compares keep them too.
    expect(Object.keys(effectiveQuery(`?${QUERY}`, undefined))).toEqual(NAMES);
    expect(Object.getOwnPropertyDescriptor(effectiveQuery(`?${QUERY}`, undefined), '__proto__')?.value).toEqual(['q1', 'q1b']);
    expect(Object.keys(effectiveMap(q, q, false))).toEqual(NAMES);
    expectUnpolluted();
  });

  it('HAR, GoReplay, CloudFront log and event files record them; the corpus round-trips them', async () => {
    const url = `https://www.example.com/p?${QUERY}`;
    const har = join(tmp.path, 'p.har');
    const headers = [{ name: 'Host', value: 'www.example.com' }, ...NAMES.map((n, i) => ({ name: n, value: `h${i + 1}` })), { name: 'Cookie', value: COOKIE }];
    writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [{ startedDateTime: '2026-01-01T00:00:00.000Z', time: 1, request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers, queryString: [], cookies: [], headersSize: -1, bodySize: 0 }, response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: '__proto__', value: 'r1' }, { name: 'Set-Cookie', value: '__proto__=s1; Path=/' }], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 }, cache: {}, timings: { send: 0, wait: 1, receive: 0 } }] } }));
    const gor = join(tmp.path, 'p.gor');
    writeFileSync(gor, `1 aaaaaaaaaaaaaaaaaaaaaaa1 1700000000123456789 0\nGET /p?${QUERY} HTTP/1.1\r\nHost: www.example.com\r\n${HEADER_LINES.join('\r\n')}\r\nCookie: ${COOKIE}\r\n\r\n\n🐵🙈🙉\n`);
    const log = join(tmp.path, 'p.log');
    writeFileSync(
      log,
      '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie)\n' +
        `2024-05-01\t10:00:00\tFRA56-P1\t100\t203.0.113.9\tGET\td1.cloudfront.net\t/p\t200\t-\tcurl\t${QUERY}\t${COOKIE.replace(/ /g, '%20')}\n`,
    );
    const events = join(tmp.path, 'p.json');
    // Written as JSON text: JSON.parse makes __proto__ an own key, as CloudFront's event does.
    const entries = (values: string[], prefix: string) => `{${values.map((n, i) => `"${n}":{"value":"${prefix}${i + 1}"}`).join(',')}}`;
    writeFileSync(
      events,
      `{"version":"1.0","context":{"eventType":"viewer-request"},"viewer":{"ip":"198.51.100.1"},"request":{"method":"GET","uri":"/p",` +
        `"querystring":{"__proto__":{"value":"q1","multiValue":[{"value":"q1"},{"value":"q1b"}]},"constructor":{"value":"q2"},"toString":{"value":"q3"},"hasOwnProperty":{"value":"q4"}},` +
        `"headers":${entries(LOWER, 'h')},"cookies":${entries(NAMES, 'c')}}}`,
    );

    const fromHar = (await recordAll([await openHarSource(har)]))[0]!;
    expectRecord(fromHar);
    expect(Object.getOwnPropertyDescriptor(fromHar.response!.headers, '__proto__')?.value).toEqual({ value: 'r1' });
    expect(Object.getOwnPropertyDescriptor(fromHar.response!.cookies, '__proto__')?.value).toEqual({ value: 's1', attributes: 'Path=/' });
    const fromGor = (await recordAll([await openGorSource(gor)]))[0]!;
    expectRecord(fromGor);
    const fromLog = (await recordAll([await openCflogSource(log)]))[0]!;
    expectRecord(fromLog, { headers: false });
    const fromEvents = (await recordAll(await openEventSources([events])))[0]!;
    expectRecord(fromEvents);

    // Through a corpus file and back, and as the event a function receives.
    const path = join(tmp.path, 'p.cfr');
    const w = await createCorpusWriter(path);
    for (const r of [fromHar, fromGor, fromLog, fromEvents]) await w.write(r);
    await w.close();
    const c = await openCorpusFile(path);
    const back: RecordedExchange[] = [];
    for await (const r of c.records()) back.push(r);
    await c.close();
    expect(back).toHaveLength(4);
    expectRecord(back[0]!);
    expect(Object.getOwnPropertyDescriptor(back[0]!.response!.cookies, '__proto__')?.value).toEqual({ value: 's1', attributes: 'Path=/' });
    expectRecord(back[1]!);
    expectRecord(back[2]!, { headers: false });
    expectRecord(back[3]!);
    const ev = toEvent(back[0]!, 'viewer-response') as { request: RecordedExchange['request']; response: NonNullable<RecordedExchange['response']> };
    expect(ownNames(ev.request.querystring)).toEqual(NAMES);
    expect(Object.getOwnPropertyDescriptor(ev.response.headers, '__proto__')?.value).toEqual({ value: 'r1' });
    // What cat prints is JSON with the keys in it.
    expect(JSON.stringify(ev.request.querystring)).toMatch(/^\{"__proto__":\{"value":"q1"/);
    expectUnpolluted();
  });

  it('the recording proxy records them from the wire', async () => {
    const origin: Server = createServer((req, res) => res.end('ok'));
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => origin.close(() => r())));
    const port = (origin.address() as { port: number }).port;
    const rec = await recordThroughProxy(new URL(`http://127.0.0.1:${port}`), {}, closers);
    const proxyPort = Number(new URL(rec.base).port);
    await new Promise<void>((resolve, reject) => {
      const s = connect(proxyPort, '127.0.0.1', () => {
        s.write(`GET /p?${QUERY} HTTP/1.1\r\nHost: www.example.com\r\n${HEADER_LINES.join('\r\n')}\r\nCookie: ${COOKIE}\r\nConnection: close\r\n\r\n`);
      });
      s.on('data', () => undefined);
      s.on('end', resolve);
      s.on('error', reject);
    });
    rec.proxy.stop('test end', 100);
    await rec.done;
    expect(rec.sink.records).toHaveLength(1);
    expectRecord(rec.sink.records[0]!);
  });

  it('replay hands them to the function as own properties and diffs them under their names', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const gor = join(tmp.path, 'p.gor');
    writeFileSync(gor, `1 aaaaaaaaaaaaaaaaaaaaaaa1 1700000000123456789 0\nGET /p?${QUERY} HTTP/1.1\r\nHost: www.example.com\r\n${HEADER_LINES.join('\r\n')}\r\nCookie: ${COOKIE}\r\n\r\n\n🐵🙈🙉\n`);
    const corpus = join(tmp.path, 'p.cfr');
    expect((await runCli(['record', 'gor', gor, '-o', corpus, '--quiet'])).code).toBe(0);
    const keys = join(tmp.path, 'keys.js');
    writeFileSync(
      keys,
      `function handler(event) {
        var r = event.request;
        function own(m) { return Object.keys(m).filter(function (k) { return Object.prototype.hasOwnProperty.call(m, k); }).join(','); }
        return { statusCode: 200, headers: {
          'x-q': { value: own(r.querystring) + '|' + Object.getOwnPropertyDescriptor(r.querystring, '__proto__').value.value },
          'x-h': { value: own(r.headers) }, 'x-c': { value: own(r.cookies) },
          'x-proto': { value: String(Object.getPrototypeOf(r.querystring) === Object.prototype) } } };
      }`,
    );
    const run = await runCli(['run', keys, '--event', corpus, '--index', '0', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { FunctionOutput: string };
    const h = (JSON.parse(out.FunctionOutput) as { response: { headers: Record<string, { value: string }> } }).response.headers;
    expect(h['x-q']?.value).toBe(`${NAMES.join(',')}|q1`);
    expect(h['x-h']?.value).toBe(`host,${LOWER.join(',')}`);
    expect(h['x-c']?.value).toBe(NAMES.join(','));
    expect(h['x-proto']?.value).toBe('true');

    const pass = join(tmp.path, 'pass.js');
    writeFileSync(pass, 'function handler(event) { return event.request; }');
    const del = join(tmp.path, 'del.js');
    writeFileSync(del, "function handler(event) { var r = event.request; delete r.querystring['__proto__']; delete r.headers.constructor; delete r.cookies.toString; return r; }");
    const json = join(tmp.path, 'r.json');
    const r = await runCli(['replay', '--old', pass, '--new', del, '--corpus', corpus, '--workers', '1', '--json', json]);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { diffs: { path: string; kind: string }[] };
    expect(report.diffs.map((d) => `${d.path} ${d.kind}`).sort()).toEqual([
      'request.cookies.toString removed',
      'request.headers.constructor removed',
      'request.querystring.__proto__ removed',
    ]);
    const same = await runCli(['replay', '--old', pass, '--new', pass, '--corpus', corpus, '--workers', '1']);
    expect(same.code).toBe(0);
  });
});
