// CloudFront access logs: hand-made logs of each layout (standard, real-time, gz), RTMP refusal, decoding, bad lines.
// The real logs are in the captures suite (test/captures/cflog.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { CFLOG_SKIP, openCflogSource } from '../../src/record/cflog/cflog-source.js';
import { readFieldsOption } from '../../src/record/cflog/fields.js';
import { decodeLogField } from '../../src/record/cflog/decode.js';
import { isPlainIpv4 } from '../../src/record/cflog/cflog-lines.js';
import { isIP } from 'node:net';
import { useTempDir } from '../helpers/tmp.js';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/cflog');
const fixture = join(fixtures, 'standard-bad-lines.log');

async function record(paths: string[], fields?: string[]) {
  const sink = new MemorySink();
  const sources = await Promise.all(paths.map((p) => openCflogSource(p, fields !== undefined ? { fields } : {})));
  const summary = await runRecording(sources, sink);
  return { summary, records: sink.records };
}

describe('record cflog: hand-made logs of each layout', () => {
  const tmp = useTempDir();

  it('standard log: time from date+time, c-ip, Host from x-host-header, cookies, status; plain and gzip give the same records', async () => {
    const { records, summary } = await record([join(fixtures, 'standard.log')]);
    expect(summary.recordsWritten).toBe(2);
    expect(summary.skipped.total).toBe(0);
    const [a, b] = records;
    expect(a!.time).toBe(Date.UTC(2024, 2, 7, 8, 15, 42));
    expect(a!.viewerIp).toBe('198.51.100.23');
    expect(a!.request.headers.host).toEqual({ value: 'www.example.com' });
    expect(a!.request.cookies).toEqual({ lang: { value: 'de' } });
    expect(a!.request.headers.referer).toEqual({ value: 'www.example.org' });
    expect(a!.response?.statusCode).toBe(200);
    expect(b!.rawQuery).toBe('a=b&c=d');
    expect(b!.response?.statusCode).toBe(304);
    // The user agent is encoded twice in standard logs (as in AWS's documented example): decoded twice.
    expect(a!.request.headers['user-agent']!.value).toBe('Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148');
    const gz = join(tmp.path, 'standard.log.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(fixtures, 'standard.log'))));
    // The same records but for the source file name (and the id derived from it).
    const strip = (list: typeof records) => list.map(({ id: _id, source: _source, ...rest }) => rest);
    const fromGz = (await record([gz])).records;
    expect(fromGz.map((r) => r.source.file)).toEqual(['standard.log.gz', 'standard.log.gz']);
    expect(strip(fromGz)).toEqual(strip(records));
  });

  it('the 33-field layout with a trailing tab on every line: nothing skipped, the content type kept', async () => {
    const { records, summary } = await record([join(fixtures, 'standard-33-trailing-tab.log')]);
    expect(summary.recordsWritten).toBe(2);
    expect(summary.skipped.total).toBe(0);
    expect(records[0]!.response?.headers['content-type']).toEqual({ value: 'text/html' });
    expect(records[1]!.request.headers['user-agent']!.value).toMatch(/^Mozilla\/5\.0 \(X11; Linux x86_64; rv:124\.0\)/);
  });

  it('real-time log with a #Fields line: cs-headers give every header in order; the query is decoded once', async () => {
    const { records } = await record([join(fixtures, 'realtime-with-fields.log')]);
    const r = records[0]!;
    expect(r.time).toBe(1709799342125);
    expect(r.viewerIp).toBe('203.0.113.45');
    expect(Object.keys(r.request.headers)).toEqual(['host', 'user-agent', 'accept', 'accept-language', 'x-trace']);
    expect(r.request.headers['x-trace']).toEqual({ value: 'a b' });
    expect(r.request.uri).toBe('/i');
    expect(r.request.querystring.url).toEqual({ value: 'http%3A%2F%2Fwww.example.com%2Fp2' });
  });

  it('real-time log without #Fields: --fields from a file or a list; missing --fields is a clear error', async () => {
    const file = join(fixtures, 'realtime-no-fields.log');
    await expect(openCflogSource(file)).rejects.toThrow(/real-time log without a #Fields line: give the field order .* --fields/);
    const fromFile = await record([file], await readFieldsOption(join(fixtures, 'realtime.fields.txt')));
    const fromList = await record([file], await readFieldsOption('timestamp,c-ip,sc-status,cs-uri-stem,x-edge-location,time-taken,cs-user-agent,cs-referer,cs-uri-query'));
    expect(fromFile.records).toHaveLength(2);
    expect(fromList.records).toEqual(fromFile.records);
    const [r, missing] = fromFile.records;
    expect(r!.request.method).toBe('GET');
    expect(r!.request.uri).toBe('/pixel.gif');
    expect(r!.time).toBe(1709799400500);
    expect(r!.request.querystring.ti).toEqual({ value: 'Prices%20%26%20Plans' });
    expect(missing!.response?.statusCode).toBe(404);
    expect(fromFile.summary.notes.map((n) => n.note)).toContain('method not logged: GET assumed');
  });

  it('RTMP logs are refused with a clear message', async () => {
    await expect(openCflogSource(join(fixtures, 'rtmp.log'))).rejects.toThrow(/RTMP \(streaming distribution\) access log.*CloudFront Functions never run/);
  });
});

describe('record cflog: hand-made fixture and bad input', () => {
  const tmp = useTempDir();

  it('decodes fields once, keeps "-" as empty, counts malformed lines and skips them', async () => {
    const { records, summary } = await record([fixture]);
    expect(records).toHaveLength(3);
    const [a, head, img] = records;
    expect(a!.request.uri).toBe('/caf%C3%A9/a%20b');
    expect(a!.rawQuery).toBe('q=%E5%AE%B6&flag&utm=a%20b');
    expect(a!.request.querystring).toEqual({ q: { value: '%E5%AE%B6' }, flag: { value: '' }, utm: { value: 'a%20b' } });
    expect(a!.request.cookies).toEqual({ session: { value: 'abc123' }, theme: { value: 'dark' } });
    expect(a!.request.headers['user-agent']).toEqual({ value: 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(a!.request.headers['x-forwarded-for']).toEqual({ value: '198.51.100.1' });
    expect(head!.viewerIp).toBe('2001:db8::5');
    expect(head!.response).toBeUndefined(); // status 000
    expect(img!.request.headers.host).toEqual({ value: 'd111111abcdef8.cloudfront.net' }); // x-host-header "-": cs(Host)
    const reasons = Object.fromEntries(summary.skipped.reasons.map((r) => [r.reason, r.count]));
    expect(reasons).toEqual({ [CFLOG_SKIP.fieldCount]: 1, [CFLOG_SKIP.badTime]: 1 });
    expect(summary.noViewerResponse.reasons[0]!.reason).toMatch(/status 000/);
  });

  it('a file with no #Fields line and no --fields is refused with a one-line message', async () => {
    const p = join(tmp.path, 'plain.log');
    writeFileSync(p, 'just\ttext\n');
    await expect(openCflogSource(p)).rejects.toThrow(/no #Fields line/);
  });

  it('a field list without cs-uri-stem is refused', async () => {
    const p = join(tmp.path, 'nostem.log');
    writeFileSync(p, '#Version: 1.0\n#Fields: date time c-ip\n2024-01-01\t00:00:00\t1.2.3.4\n');
    await expect(openCflogSource(p)).rejects.toThrow(/no cs-uri-stem/);
  });

  it('decodeLogField never throws on malformed escapes', () => {
    expect(decodeLogField('a%2Fb')).toBe('a/b');
    expect(decodeLogField('bad%zz%E5%AE%B6%')).toBe('bad%zz家%');
    expect(decodeLogField('%FF')).toBe('\uFFFD');
  });

  it('the hand-written IPv4 check accepts exactly the dotted quads net.isIP accepts', () => {
    const samples = ['0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4 ', '', '1.2.3.04', '10.0.0.1', '1.2.3.255', '1.2.3.260', '1234.1.1.1', '::1', '1.2.3.a'];
    // Every string of up to 7 characters over "0129.5" (plus the samples above) against node's own check.
    const alphabet = ['0', '1', '2', '9', '.', '5'];
    let strings = [''];
    for (let len = 1; len <= 7; len++) {
      strings = strings.flatMap((s) => alphabet.map((c) => s + c));
      for (const s of strings) samples.push(s);
    }
    const disagree = samples.filter((s) => isPlainIpv4(s) !== (isIP(s) === 4));
    expect(disagree).toEqual([]);
    expect(samples.filter((s) => isPlainIpv4(s)).length).toBeGreaterThan(100);
  });
});

describe('memo keys do not keep the input text alive', () => {
  it('a decode memo fed with fields cut from 40 texts of 1 MB keeps none of them', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { DecodeCache } = await import('../../src/record/cflog/decode.js');
    const memo = new DecodeCache();
    const decoded: string[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 40; i++) {
      // A new text each time (as each line batch is), and a field sliced out of it.
      const text = `${String(i).padEnd(1 << 20, 'x')}\tMozilla%2F5.0%20agent%20number%20${i}\t-`;
      decoded.push(memo.get(text.slice((1 << 20) + 1, text.lastIndexOf('\t'))));
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(decoded[7]).toBe('Mozilla/5.0 agent number 7');
    expect(grown).toBeLessThan(8 * 1024 * 1024); // the texts are 40 MB
  });
});
