// A gzip-compressed capture cut short (a partial download or copy) is refused by every
// source that reads gzip, with one line naming the file and saying the compressed data
// ends early: never a misleading complaint about the content (a CloudFront log cut
// inside its #Fields line was reported as "the field list has no cs-uri-stem").
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileInput } from '../../src/record/file-input.js';
import { cfreplay } from '../helpers/cli.js';
import { requireCliBuilt } from '../helpers/cli-process.js';
import { EVENT_FIELDS, generateRequests, legacyLog, v2Json } from '../helpers/cflog-v2-gen.js';
import { useTempDir } from '../helpers/tmp.js';

const TRUNCATED = /truncated gzip file: the compressed data ends early after [\d,]+ bytes \(the file was cut short or is damaged\)$/;

function gorFile(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    out += `1 ${i.toString(16).padStart(40, '0')} ${1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n}\n`;
    out += `GET /p/${i}?q=${i} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: agent-${i % 7}\r\n\r\n\n\u{1F435}\u{1F648}\u{1F649}\n`;
  }
  return out;
}

function eventLines(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        version: '1.0',
        context: { eventType: 'viewer-request' },
        viewer: { ip: `192.0.2.${i % 250}` },
        request: { method: 'GET', uri: `/p/${i}`, querystring: {}, headers: { host: { value: 'www.example.com' } }, cookies: {} },
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

function har(n: number): string {
  const entries = [];
  for (let i = 0; i < n; i++) {
    entries.push({
      startedDateTime: '2024-01-01T00:00:00.000Z',
      time: 1,
      request: { method: 'GET', url: `https://www.example.com/p/${i}`, httpVersion: 'HTTP/1.1', headers: [{ name: 'Host', value: 'www.example.com' }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: 'text/plain' }, redirectURL: '', headersSize: -1, bodySize: 0 },
      cache: {},
      timings: { send: 0, wait: 1, receive: 0 },
    });
  }
  return JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } });
}

interface Case {
  name: string;
  source: string;
  file: string;
  text: () => string;
}

const requests = generateRequests(1500);
const CASES: Case[] = [
  { name: 'CloudFront standard log', source: 'cflog', file: 'E2EXAMPLE.2024-05-01-10.abcd.gz', text: () => legacyLog(requests) },
  { name: 'CloudFront log v2 JSON', source: 'cflog', file: 'v2.json.gz', text: () => v2Json(requests, EVENT_FIELDS) },
  { name: 'GoReplay file', source: 'gor', file: 'capture.gor.gz', text: () => gorFile(800) },
  { name: 'JSON lines event file', source: 'events', file: 'events.jsonl.gz', text: () => eventLines(800) },
  { name: 'HAR file', source: 'har', file: 'session.har.gz', text: () => har(800) },
];

describe('a truncated gzip input: one line naming the file, exit 2, no corpus written', () => {
  const tmp = useTempDir();

  it.each(CASES)('$name', ({ source, file, text }) => {
    requireCliBuilt();
    const whole = gzipSync(text());
    const complete = join(tmp.path, file);
    writeFileSync(complete, whole);
    // The same file whole records (so each cut below fails for the cut alone).
    const ok = cfreplay(['record', source, complete, '-o', join(tmp.path, `whole-${source}.cfr`)]);
    expect(ok.stderr).not.toMatch(/truncated|not a valid gzip/);
    expect(ok.status).toBe(0);
    // Cut inside the first lines (a #Fields line, a JSON object), halfway, and in the trailer.
    for (const size of [70, 120, 200, Math.floor(whole.length / 2), whole.length - 3]) {
      const cut = join(tmp.path, `cut${size}-${file}`);
      writeFileSync(cut, whole.subarray(0, size));
      const out = join(tmp.path, `cut${size}-${source}.cfr`);
      const r = cfreplay(['record', source, cut, '-o', out]);
      expect(r.status, `${cut}: ${r.stderr}`).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^cfreplay: ${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(lines[0]).toMatch(TRUNCATED);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('FileInput and truncated gzip data', () => {
  const tmp = useTempDir();

  it('head() refuses a small gzip file cut short (read whole, it must end as gzip data ends)', async () => {
    const p = join(tmp.path, 'small.log.gz');
    writeFileSync(p, gzipSync(legacyLog(requests)).subarray(0, 150));
    const input = await FileInput.open(p, 'a text file');
    await expect(input.head()).rejects.toThrow(new RegExp(`small\\.log\\.gz: ${TRUNCATED.source}`));
  });

  it('a gzip file larger than the head cut further on: head() gives the first lines, reading the content stops with the same error', async () => {
    // Random hex hardly compresses: a file over the 1 MiB head read.
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) lines.push(`${i} ${randomBytes(900).toString('hex')}`);
    const whole = gzipSync(`${lines.join('\n')}\n`);
    expect(whole.length).toBeGreaterThan(1.2 * 1024 * 1024);
    const p = join(tmp.path, 'big.gz');
    writeFileSync(p, whole.subarray(0, whole.length - 100_000));
    const input = await FileInput.open(p, 'a text file');
    expect((await input.head(1000)).toString('latin1').startsWith(`0 ${lines[0]!.slice(2, 50)}`)).toBe(true);
    let read = 0;
    await expect(
      (async () => {
        for await (const batch of input.lineBatches()) read += batch.length;
      })(),
    ).rejects.toThrow(new RegExp(`big\\.gz: ${TRUNCATED.source}`));
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(1500);
  });

  it('data that is not gzip after the magic bytes says so (not "truncated")', async () => {
    const p = join(tmp.path, 'bad.gz');
    const good = gzipSync('hello\n'.repeat(100));
    const bad = Buffer.from(good);
    bad.fill(0xff, 10, 30);
    writeFileSync(p, bad);
    const input = await FileInput.open(p, 'a text file');
    await expect(input.head()).rejects.toThrow(/bad\.gz: not a valid gzip file \(.+\) after [\d,]+ bytes$/);
    expect(readFileSync(p).length).toBe(bad.length); // the input is left as it was
  });
});
