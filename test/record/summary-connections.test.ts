// The record summary names what was stored: exchanges, connection (mTLS) events, or both
// ("recorded 3 connection events", not "recorded 3 exchanges").
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cfreplay } from '../helpers/cli.js';
import { requireCliBuilt } from '../helpers/cli-process.js';
import { useTempDir } from '../helpers/tmp.js';

function connection(i: number): string {
  const leaf = {
    serialNumber: `0A${i}`,
    issuer: 'CN=Test CA,O=Example',
    subject: `CN=device-${i},O=Example`,
    validity: { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z' },
    sha256Fingerprint: 'ab'.repeat(32),
  };
  return JSON.stringify({ clientCertificate: { certificates: { leaf } }, clientIp: `198.51.100.${i}`, endpoint: 'd111.cloudfront.net', distributionId: 'E1', connectionId: `c${i}` });
}

function viewer(i: number): string {
  return JSON.stringify({
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri: `/p/${i}`, querystring: {}, headers: { host: { value: 'www.example.com' } }, cookies: {} },
  });
}

describe('record summary: exchanges and connection events by their names', () => {
  const tmp = useTempDir();
  const record = (name: string, lines: string[], extra: string[] = []) => {
    const p = join(tmp.path, name);
    writeFileSync(p, `${lines.join('\n')}\n`);
    const r = cfreplay(['record', 'events', p, '-o', join(tmp.path, 'out.cfr'), ...extra]);
    expect(r.status, r.stderr).toBe(0);
    return r.stderr;
  };

  it('connection events only', () => {
    requireCliBuilt();
    const text = record('conn.jsonl', [connection(1), connection(2), connection(3)]);
    expect(text).toMatch(/^cfreplay: recorded 3 connection events from 1 input into /);
    expect(text).toMatch(/\n {2}connection events\s+3\n/);
    expect(text).not.toMatch(/exchange/);
    expect(text).toMatch(/bytes per record\)/);
  });

  it('one connection event', () => {
    requireCliBuilt();
    expect(record('one.jsonl', [connection(1)])).toMatch(/^cfreplay: recorded 1 connection event from 1 input/);
  });

  it('both: exchanges and connection events, each counted', () => {
    requireCliBuilt();
    const text = record('mixed.jsonl', [viewer(1), connection(1), viewer(2), connection(2), connection(3)]);
    expect(text).toMatch(/^cfreplay: recorded 2 exchanges and 3 connection events from 1 input/);
    expect(text).toMatch(/exchanges recorded\s+2\n\s+viewer-request events\s+2\n/);
    expect(text).toMatch(/\n {2}connection events\s+3\n/);
  });

  it('exchanges only: as before; appending says how many records the corpus holds', () => {
    requireCliBuilt();
    const text = record('viewer.jsonl', [viewer(1), viewer(2)]);
    expect(text).toMatch(/^cfreplay: recorded 2 exchanges from 1 input/);
    expect(text).not.toMatch(/connection/);
    expect(text).toMatch(/bytes per exchange\)/);
    const appended = record('more.jsonl', [connection(7)], ['--append']);
    expect(appended).toMatch(/^cfreplay: recorded 1 connection event from 1 input appended to /);
    expect(appended).toMatch(/3 records in all\)/);
  });
});
