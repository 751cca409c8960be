// Every source says what it could not read: HAR from standard input, HAR
// headers given as an object, GoReplay files with no valid record or a last
// record cut short, CloudFront logs whose --fields match no line, a bad
// #Fields line, invalid percent-encoding. Real files and the built CLI.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { useTempDir } from '../helpers/tmp.js';
import { cfreplay } from '../helpers/cli.js';
import { requireCliBuilt, root } from '../helpers/cli-process.js';

const har = `${root}test/fixtures/har/edge-cases.har`;
const gorFixture = `${root}test/fixtures/gor/mixed.gor`;
const SEP = '\n🐵🙈🙉\n';

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('sources say what they could not read', () => {
  const tmp = useTempDir();

  it('record har - reads standard input (plain and gzip) and records what the file gives', { timeout: 120_000 }, () => {
    requireCliBuilt();
    const fromFile = cfreplay(['record', 'har', har, '-o', join(tmp.path, 'file.cfr')]);
    expect(fromFile.status).toBe(0);
    const recorded = /recorded (\d+) exchanges/.exec(fromFile.stderr)![1];
    const text = readFileSync(har, 'utf8');
    const plain = cfreplay(['record', 'har', '-', '-o', join(tmp.path, 'stdin.cfr')], { input: text });
    expect(plain.status).toBe(0);
    expect(plain.stderr).toMatch(new RegExp(`recorded ${recorded} exchanges from 1 input`));
    const a = cfreplay(['cat', join(tmp.path, 'file.cfr'), '--records']).stdout.split('\n').map((l) => l.replace(/"source":\{[^}]*\},?/, '').replace(/"id":"[^"]*",?/, ''));
    const b = cfreplay(['cat', join(tmp.path, 'stdin.cfr'), '--records']).stdout.split('\n').map((l) => l.replace(/"source":\{[^}]*\},?/, '').replace(/"id":"[^"]*",?/, ''));
    expect(b).toEqual(a);
    const gz = spawnSync(process.execPath, [`${root}bin/cfreplay`, 'record', 'har', '-', '-o', join(tmp.path, 'gz.cfr')], { input: gzipSync(text), encoding: 'utf8' });
    expect(gz.status).toBe(0);
    expect(gz.stderr).toMatch(new RegExp(`recorded ${recorded} exchanges from 1 input.*\n.*compression: gzip`));
    const empty = cfreplay(['record', 'har', '-', '-o', join(tmp.path, 'empty.cfr')], { input: '' });
    expect(empty.status).toBe(2);
    expect(oneLine(empty.stderr)).toMatch(/\/dev\/stdin: /);
  });

  it('HAR headers given as an object: the entry is skipped with a counted reason, never recorded without headers', { timeout: 120_000 }, () => {
    requireCliBuilt();
    const doc = JSON.parse(readFileSync(`${root}test/fixtures/har/chrome-sanitized.har`, 'utf8')) as { log: { entries: { request: { headers: unknown } }[] } };
    const n = doc.log.entries.length;
    doc.log.entries[0]!.request.headers = { Host: 'www.example.com', Accept: '*/*' };
    const p = join(tmp.path, 'obj.har');
    writeFileSync(p, JSON.stringify(doc));
    const r = cfreplay(['record', 'har', p, '-o', join(tmp.path, 'obj.cfr')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${n} entries, ${n - 1} recorded, 1 skipped`));
    expect(r.stderr).toMatch(/headers is not a list of \{name, value\} \(HAR 1\.2 requires an array\)\s+1\s+\(first: obj\.har entry 0: request\.headers is an object/);
  });

  it('GoReplay: random bytes, text and CRLF-framed records exit 2 in one line; a last record cut short is skipped and counted', { timeout: 120_000 }, () => {
    requireCliBuilt();
    const bytes = readFileSync(gorFixture);
    const crlf = bytes.toString('utf8').split(SEP).join('\r\n🐵🙈🙉\r\n').replace(/\n/g, '\r\n');
    const inputs: [string, Buffer | string][] = [
      ['random.gor', randomBytes(4096)],
      ['text.gor', 'GET / HTTP/1.1\nHost: example.com\n\n'],
      ['crlf.gor', crlf],
    ];
    for (const [name, content] of inputs) {
      const p = join(tmp.path, name);
      writeFileSync(p, content);
      const r = cfreplay(['record', 'gor', p, '-o', join(tmp.path, `${name}.cfr`)]);
      expect({ name, status: r.status }).toEqual({ name, status: 2 });
      expect(oneLine(r.stderr)).toMatch(new RegExp(`${name}: not a GoReplay file: none of its \\d+ record\\(s\\) is readable`));
    }
    // Cut inside the last record (a capture still being written): that record is not recorded with a cut value.
    const whole = bytes.toString('utf8');
    const lastSep = whole.lastIndexOf(SEP, whole.length - SEP.length - 1);
    const cut = join(tmp.path, 'cut.gor');
    writeFileSync(cut, whole.slice(0, lastSep + SEP.length + 30));
    const full = cfreplay(['record', 'gor', gorFixture, '-o', join(tmp.path, 'full.cfr')]);
    const r = cfreplay(['record', 'gor', cut, '-o', join(tmp.path, 'cut.cfr')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/last record cut short \(the file ends before its separator\): not recorded with a cut value\s+1\s+\(first: cut\.gor entry \d+: 30 bytes:/);
    const recorded = (s: string) => Number(/recorded (\d+) exchange/.exec(s)![1]);
    expect(recorded(r.stderr)).toBeLessThanOrEqual(recorded(full.stderr));
  });

  it('CloudFront logs: --fields matching no line exits 2 with the counts; a bad #Fields names its line; invalid percent-encoding is counted', { timeout: 120_000 }, () => {
    requireCliBuilt();
    const rt = join(tmp.path, 'rt.log');
    writeFileSync(rt, '1714557600.123\t203.0.113.9\tGET\n1714557601.123\t203.0.113.9\tGET\n1714557602.5\t203.0.113.9\tGET\t/x\n');
    const r1 = cfreplay(['record', 'cflog', rt, '-o', join(tmp.path, 'rt.cfr'), '--fields', 'timestamp,c-ip,cs-method,cs-uri-stem,sc-status']);
    expect(r1.status).toBe(2);
    expect(oneLine(r1.stderr)).toMatch(/rt\.log: --fields names 5 fields but none of the first 3 lines has 5 \(tab-separated fields found: 3 on 2 lines, 4 on 1 line\)/);
    const ok = cfreplay(['record', 'cflog', rt, '-o', join(tmp.path, 'rt2.cfr'), '--fields', 'timestamp,c-ip,cs-method']);
    expect(ok.status).toBe(2); // no cs-uri-stem: refused for that reason instead
    expect(ok.stderr).toMatch(/no cs-uri-stem/);

    const bad = join(tmp.path, 'bad.log');
    writeFileSync(bad, '#Version: 1.0\n#Fields: date time c-ip cs-method\n2024-05-01\t10:00:00\t203.0.113.9\tGET\n');
    const r2 = cfreplay(['record', 'cflog', bad, '-o', join(tmp.path, 'bad.cfr')]);
    expect(r2.status).toBe(2);
    expect(oneLine(r2.stderr)).toMatch(/^cfreplay: .*bad\.log: line 2 \(#Fields\): the field list has no cs-uri-stem/);
    // A second, bad #Fields further down (concatenated logs) names its own line.
    const later = join(tmp.path, 'later.log');
    writeFileSync(later, '#Version: 1.0\n#Fields: date time cs-method cs-uri-stem\n2024-05-01\t10:00:00\tGET\t/a\n#Version: 1.0\n#Fields: date time cs-method\n2024-05-01\t10:00:01\tGET\n');
    const r3 = cfreplay(['record', 'cflog', later, '-o', join(tmp.path, 'later.cfr')]);
    expect(r3.status).toBe(2);
    expect(oneLine(r3.stderr)).toMatch(/later\.log: line 5 \(#Fields\): the field list has no cs-uri-stem/);

    const pct = join(tmp.path, 'pct.log');
    writeFileSync(
      pct,
      '#Version: 1.0\n#Fields: date time c-ip cs-method cs(Host) cs-uri-stem sc-status cs(User-Agent) cs-uri-query\n' +
        '2024-05-01\t10:00:00\t203.0.113.9\tGET\td.net\t/a%zz\t200\tcurl\t-\n' +
        '2024-05-01\t10:00:01\t203.0.113.9\tGET\td.net\t/b\t200\tcurl%E0\tq=1\n' +
        '2024-05-01\t10:00:02\t203.0.113.9\tGET\td.net\t/c\t200\tcurl%E0\tq=%GG\n' +
        '2024-05-01\t10:00:03\t203.0.113.9\tGET\td.net\t/d%41\t200\tcurl\tq=%41\n',
    );
    const r4 = cfreplay(['record', 'cflog', pct, '-o', join(tmp.path, 'pct.cfr')]);
    expect(r4.status).toBe(0);
    expect(r4.stderr).toMatch(/note: invalid percent-encoding in a field \(kept as written\): 3\b/);
    const uris = cfreplay(['cat', join(tmp.path, 'pct.cfr')]).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { request: { uri: string } }).request.uri);
    expect(uris).toEqual(['/a%zz', '/b', '/c', '/dA']);
  });
});
