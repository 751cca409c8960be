// CloudFront access logs: every real log of <captures>/cloudfront-logs (standard, real-time, gz), RTMP refusal.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openCflogSource } from '../../src/record/cflog/cflog-source.js';
import { readFieldsOption } from '../../src/record/cflog/fields.js';
import { capture } from './location.js';

const logs = capture('cloudfront-logs');
const fieldsFile = join(logs, 'REALTIME-ownstats.fields.txt');

async function record(paths: string[], fields?: string[]) {
  const sink = new MemorySink();
  const sources = await Promise.all(paths.map((p) => openCflogSource(p, fields !== undefined ? { fields } : {})));
  const summary = await runRecording(sources, sink);
  return { summary, records: sink.records };
}

describe('record cflog: the real logs', () => {
  const files = readdirSync(logs).filter((f) => /\.log(\.gz)?$/.test(f));
  it('holds logs to test', () => expect(files.length).toBeGreaterThan(5));

  for (const f of files.filter((n) => !n.startsWith('RTMP-'))) {
    it(`${f} records without error`, async () => {
      const fields = f.startsWith('REALTIME-ownstats') ? await readFieldsOption(fieldsFile) : undefined;
      const { summary, records } = await record([join(logs, f)], fields);
      expect(summary.recordsWritten).toBeGreaterThan(0);
      expect(summary.skipped.total).toBe(0);
      for (const r of records) {
        expect(Number.isFinite(r.time)).toBe(true);
        expect(r.request.uri.startsWith('/')).toBe(true);
        expect(r.viewerIp).not.toBe('203.0.113.10'); // c-ip is always logged
      }
    });
  }

  it('RTMP logs are refused with a clear message', async () => {
    await expect(openCflogSource(join(logs, 'RTMP-claygregory-rtmp-1-0.log'))).rejects.toThrow(/RTMP \(streaming distribution\) access log.*CloudFront Functions never run/);
  });

  it('standard log: time from date+time, c-ip, Host from x-host-header, cookies, status; trailing tab tolerated', async () => {
    const { records, summary } = await record([join(logs, 'claygregory-web-1-0.log')]);
    expect(summary.recordsWritten).toBe(2);
    const [a, b] = records;
    expect(a!.time).toBe(Date.UTC(2014, 4, 23, 1, 13, 11));
    expect(a!.viewerIp).toBe('192.0.2.10');
    expect(a!.request.headers.host).toEqual({ value: 'd111111abcdef8.cloudfront.net' });
    expect(a!.request.cookies).toEqual({ zip: { value: '98101' } });
    expect(a!.request.headers.referer).toEqual({ value: 'www.displaymyfiles.com' });
    expect(b!.rawQuery).toBe('a=b&c=d');
    expect(b!.response?.statusCode).toBe(304);
    // The user agent is encoded twice in this (AWS documentation) log: decoded twice.
    expect(a!.request.headers['user-agent']!.value).toMatch(/^Mozilla\/5\.0 \(iPhone; CPU iPhone OS 10_2_1 like Mac OS X\)/);
    const trailing = await record([join(logs, 'claygregory-web-1-0-2019-12.log')]);
    expect(trailing.summary.skipped.total).toBe(0);
    expect(trailing.records[0]!.response?.headers['content-type']).toEqual({ value: 'text/html' });
  });

  it('real-time log with a #Fields line: cs-headers give every header in order; the query is decoded once', async () => {
    const { records } = await record([join(logs, 'REALTIME-claygregory-kinesis-1-0.log')]);
    const r = records[0]!;
    expect(r.time).toBe(1607374321541);
    expect(r.viewerIp).toBe('127.0.0.1');
    expect(Object.keys(r.request.headers)).toEqual(['host', 'user-agent', 'accept', 'accept-language', 'accept-encoding', 'dnt', 'referer']);
    expect(r.request.uri).toBe('/i');
    expect(r.request.querystring.url).toEqual({ value: 'http%3A%2F%2Flocalhost%3A5000%2Fpage-2' });
  });

  it('real-time log without #Fields: --fields from a file or a list; missing --fields is a clear error', async () => {
    const file = join(logs, 'REALTIME-ownstats-rawPageViewData.log');
    await expect(openCflogSource(file)).rejects.toThrow(/real-time log without a #Fields line: give the field order .* --fields/);
    const fromFile = await record([file], await readFieldsOption(fieldsFile));
    const fromList = await record([file], await readFieldsOption('timestamp,c-ip,sc-status,cs-uri-stem,cs-bytes,x-edge-location,time-taken,cs-user-agent,cs-referer,cs-uri-query,x-edge-result-type,asn'));
    expect(fromList.records).toEqual(fromFile.records);
    const r = fromFile.records[0]!;
    expect(r.request.method).toBe('GET');
    expect(r.request.uri).toBe('/hello.gif');
    expect(r.request.querystring.ti).toEqual({ value: 'Map%20the%20Cloud%20-%20Azure%20Services%20%26%20Regions' });
    expect(fromFile.summary.notes.map((n) => n.note)).toContain('method not logged: GET assumed');
  });

  it('the 100k-line gz file: every line recorded', async () => {
    const { summary } = await record([join(logs, 'rkalla-example-100k.log.gz')]);
    expect(summary.recordsWritten).toBe(100000);
  }, 60_000);
});
