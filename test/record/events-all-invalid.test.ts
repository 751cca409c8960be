// `record events` of a file named on the command line none of whose entries is an event
// stops with one line naming the file, its first entry and why (exit 2, no corpus), as a
// broken HAR does; a file with some events records them and counts the rest; files found
// in a directory are only counted.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cfreplay } from '../helpers/cli.js';
import { requireCliBuilt } from '../helpers/cli-process.js';
import { useTempDir } from '../helpers/tmp.js';

const GOOD = JSON.stringify({
  version: '1.0',
  context: { eventType: 'viewer-request' },
  viewer: { ip: '192.0.2.1' },
  request: { method: 'GET', uri: '/ok', querystring: {}, headers: { host: { value: 'www.example.com' } }, cookies: {} },
});
const NO_CONTEXT = JSON.stringify({ foo: 1 });
const LAMBDA_EDGE = JSON.stringify({ Records: [{ cf: { config: { eventType: 'viewer-request' }, request: { uri: '/' } } }] });
const BAD_CONNECTION = JSON.stringify({ clientIp: '192.0.2.9', connectionId: 'c1', distributionId: 'E1', endpoint: 'd.example', clientCertificate: 'not an object' });

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('record events: a named file with no event is an error', () => {
  const tmp = useTempDir();
  const file = (name: string, text: string) => {
    const p = join(tmp.path, name);
    writeFileSync(p, text);
    return p;
  };

  it.each([
    ['JSON lines, none valid', 'bad.jsonl', `${NO_CONTEXT}\n${NO_CONTEXT}\n`, /no CloudFront Functions event among its 2 entries; line 1: not a valid CloudFront Functions event: context is missing/],
    ['a JSON array, none valid', 'bad.json', `[${NO_CONTEXT}, {"request": "nope"}]`, /no CloudFront Functions event among its 2 entries; entry 0: not a valid CloudFront Functions event: context is missing/],
    ['JSON lines that are not JSON', 'text.jsonl', '\nnot json\n{"a":\n', /no CloudFront Functions event among its 2 entries; line 2: not valid JSON: /],
    ['Lambda@Edge events only, as JSON lines', 'edge.jsonl', `${LAMBDA_EDGE}\n`, /no CloudFront Functions event among its 1 entry; line 1: Lambda@Edge event/],
    ['malformed connection events only', 'conn.jsonl', `${BAD_CONNECTION}\n${BAD_CONNECTION}\n`, /no CloudFront Functions event among its 2 entries; line 1: not a valid connection \(mTLS\) event: /],
  ])('%s: exit 2, one line naming the file and the first entry', (_n, name, text, re) => {
    requireCliBuilt();
    const p = file(name, text);
    const out = join(tmp.path, `${name}.cfr`);
    const r = cfreplay(['record', 'events', p, '-o', out]);
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^cfreplay: ${escape(p)}: `));
    expect(lines[0]).toMatch(re);
    expect(existsSync(out)).toBe(false);
  });

  it('a file with one event among bad entries records it and counts the others (exit 0)', () => {
    requireCliBuilt();
    const p = file('mixed.jsonl', `${NO_CONTEXT}\n${GOOD}\nnot json\n`);
    const out = join(tmp.path, 'mixed.cfr');
    const r = cfreplay(['record', 'events', p, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mixed\.jsonl: 3 entries, 1 recorded, 2 skipped/);
    expect(existsSync(out)).toBe(true);
  });

  it('a file of events that are all filtered out is not an error (they are events)', () => {
    requireCliBuilt();
    const p = file('filtered.jsonl', `${GOOD}\n${GOOD}\n`);
    const r = cfreplay(['record', 'events', p, '-o', join(tmp.path, 'filtered.cfr'), '--include-host', 'other.example.com']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 filtered/);
  });

  it('a good file and a bad one named together: exit 2 naming the bad one, no corpus', () => {
    requireCliBuilt();
    const good = file('g.jsonl', `${GOOD}\n`);
    const bad = file('b.jsonl', `${NO_CONTEXT}\n`);
    const out = join(tmp.path, 'two.cfr');
    const r = cfreplay(['record', 'events', good, bad, '-o', out]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^cfreplay: ${escape(bad)}: no CloudFront Functions event among its 1 entry; line 1: `));
    expect(existsSync(out)).toBe(false);
  });

  it('files found in a directory are counted, not refused', () => {
    requireCliBuilt();
    const dir = join(tmp.path, 'dir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-bad.jsonl'), `${NO_CONTEXT}\n`);
    writeFileSync(join(dir, 'b-good.jsonl'), `${GOOD}\n`);
    const r = cfreplay(['record', 'events', dir, '-o', join(tmp.path, 'dir.cfr')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/a-bad\.jsonl: 1 entries?, 0 recorded, 1 skipped/);
    expect(r.stderr).toMatch(/recorded 1 exchange from 2 inputs/);
  });
});
