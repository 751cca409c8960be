// Connection (mTLS) events end to end without TLS: recorded from event files beside HTTP events,
// stored in the corpus (column layout 2 only for chunks that hold them), shown by cat/inspect, and
// replayed through two connection functions: outcomes, the decision and custom-data diffs grouped
// by population (issuer, subject pattern, client network).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../src/results/types.js';
import { openCorpus } from '../../src/store/index.js';
import { decodeColumns, encodeColumns } from '../../src/store/columns.js';
import { Unpackr } from 'msgpackr';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';
import { launchChromium, openReportPage } from '../report/browser.js';

const tmp = useTempDir();

function connectionEvent(i: number, issuer: string, ip: string) {
  return {
    clientCertificate: {
      certificates: {
        leaf: {
          serialNumber: (0x1000 + i).toString(16).toUpperCase(),
          issuer,
          subject: `CN=device-${String(i).padStart(4, '0')},O=Acme`,
          validity: { notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z' },
          sha256Fingerprint: String(i).padStart(64, 'a'),
        },
      },
    },
    clientIp: ip,
    endpoint: 'd111111abcdef8.cloudfront.net',
    distributionId: 'EDFDVBD6EXAMPLE',
    connectionId: `conn-${i}`,
  };
}

const VIEWER_EVENT = {
  version: '1.0',
  context: { eventType: 'viewer-request' },
  viewer: { ip: '198.51.100.7' },
  request: { method: 'GET', uri: '/', querystring: {}, headers: { host: { value: 'example.com' } }, cookies: {} },
};

/** OLD: allow certificates of Acme Root CA. NEW: also requires the client in 203.0.113.0/24, and logs why. */
const OLD = `function connectionHandler(connection) {
  var leaf = connection.clientCertificate.certificates.leaf;
  if (leaf.issuer === 'CN=Acme Root CA,O=Acme') connection.allow(); else connection.deny();
}`;
const NEW = `function connectionHandler(connection) {
  var leaf = connection.clientCertificate.certificates.leaf;
  if (leaf.issuer !== 'CN=Acme Root CA,O=Acme') { connection.logCustomData('issuer'); connection.deny(); return; }
  if (connection.clientIp.indexOf('203.0.113.') === 0) connection.allow();
  else connection.logCustomData('network ' + connection.clientIp);
}`;

function writeInputs() {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) {
    const issuer = i % 3 === 0 ? 'CN=Other CA,O=Else' : 'CN=Acme Root CA,O=Acme';
    const ip = i % 2 === 0 ? `203.0.113.${i}` : `198.51.100.${i}`;
    lines.push(JSON.stringify(connectionEvent(i, issuer, ip)));
  }
  lines.splice(5, 0, JSON.stringify(VIEWER_EVENT));
  const events = join(tmp.path, 'events.jsonl');
  writeFileSync(events, `${lines.join('\n')}\n`);
  writeFileSync(join(tmp.path, 'old.js'), OLD);
  writeFileSync(join(tmp.path, 'new.js'), NEW);
  return events;
}

describe('connection events in the corpus', () => {
  it('a chunk without connection records keeps column layout 1; with them it is 2, and both decode exactly', () => {
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
    const exchange = { id: 'x', time: 1700000000000, source: { file: 'f', entry: 0 }, distributionDomainName: 'd.cloudfront.net', distributionId: 'E1', viewerIp: '1.2.3.4', request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} } };
    const http = encodeColumns([exchange]);
    expect((unpackr.unpack(http) as { v: number }).v).toBe(1);
    expect(decodeColumns(http)).toEqual([exchange]);
    const conn = { kind: 'connection' as const, id: 'c1', time: 1700000000001, source: { file: 'f', entry: 1 }, event: connectionEvent(1, 'CN=A', '203.0.113.1') };
    const mixed = encodeColumns([exchange, conn]);
    expect((unpackr.unpack(mixed) as { v: number }).v).toBe(2);
    expect(decodeColumns(mixed)).toEqual([exchange, conn]);
  });

  it('record events stores connection events beside viewer events; cat and inspect show them', async () => {
    const events = writeInputs();
    const corpus = join(tmp.path, 'mixed.cfr');
    const rec = cfreplay(['record', 'events', events, '-o', corpus, '--time', '2025-06-01T00:00:00Z']);
    expect(rec.status).toBe(0);
    const summary = rec.stdout + rec.stderr;
    expect(summary).toMatch(/connection events\s+30/);
    expect(summary).toMatch(/viewer-request events\s+1\b/);

    const c = await openCorpus(corpus);
    const kinds: string[] = [];
    for await (const r of c.records()) kinds.push('kind' in r ? r.kind : 'exchange');
    await c.close();
    expect(kinds.filter((k) => k === 'connection')).toHaveLength(30);
    expect(kinds[5]).toBe('exchange');

    const all = cfreplay(['cat', corpus]).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all).toHaveLength(31);
    // As the function receives it: the leaf also where AWS's tutorial reads it (clientCertInfo).
    const first = connectionEvent(0, 'CN=Other CA,O=Else', '203.0.113.0');
    expect(all[0]).toEqual({ ...first, clientCertInfo: first.clientCertificate.certificates.leaf });
    const onlyConn = cfreplay(['cat', corpus, '--event-type', 'connection']).stdout.trim().split('\n');
    expect(onlyConn).toHaveLength(30);
    const onlyHttp = cfreplay(['cat', corpus, '--event-type', 'viewer-request']).stdout.trim().split('\n');
    expect(onlyHttp).toHaveLength(1);
    expect(cfreplay(['inspect', corpus]).stdout).toMatch(/30 connection \(mTLS\)/);
  });

  it('replay of two connection functions: outcomes, decision and custom-data diffs grouped by population', () => {
    const events = writeInputs();
    const corpus = join(tmp.path, 'conn.cfr');
    expect(cfreplay(['record', 'events', events, '-o', corpus, '--time', '2025-06-01T00:00:00Z']).status).toBe(0);
    const json = join(tmp.path, 'report.json');
    const r = cfreplay(['replay', '--old', join(tmp.path, 'old.js'), '--new', join(tmp.path, 'new.js'), '--corpus', corpus, '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.eventType).toBe('connection');
    expect(report.events).toBe(30);
    expect(report.skipped).toEqual({ 'HTTP exchange: a connection function runs only on connection events': 1 });
    // 10 from Other CA: denied by both (NEW logs why); 20 Acme: 10 in 203.0.113/24 allowed by both, 10 elsewhere flip to neither-called.
    expect(report.outcomes.old).toEqual({ 'connection-allow': 20, 'connection-deny': 10 });
    expect(report.outcomes.new).toEqual({ 'connection-allow': 10, 'connection-deny': 10, 'connection-neither': 10 });
    expect(report.outcomeTransitions).toEqual([{ from: 'connection-allow', to: 'connection-neither', count: 10 }]);
    const flip = report.diffs.find((d) => d.path === 'outcome')!;
    expect(flip.count).toBe(10);
    // Every flipped client is an Acme device outside 203.0.113.0/24: one population per /24.
    for (const route of flip.routes) expect(route.route).toMatch(/^issuer CN=Acme Root CA,O=Acme \| subject CN=device-\*,O=Acme \| net 198\.51\.100\.0\/24$/);
    expect(flip.examples[0]!.method).toBe('TLS');
    const custom = report.diffs.find((d) => d.path === 'logCustomData')!;
    expect(custom.kind).toBe('added');
    expect(custom.count).toBe(10);
    expect(custom.routes.map((x) => x.route).sort()).toEqual([
      'issuer CN=Other CA,O=Else | subject CN=device-*,O=Acme | net 198.51.100.0/24',
      'issuer CN=Other CA,O=Else | subject CN=device-*,O=Acme | net 203.0.113.0/24',
    ]);
  });

  it('a revocation list in a KeyValueStore: NEW denies the revoked serials, exactly those clients flip', () => {
    const events = writeInputs();
    const corpus = join(tmp.path, 'kvs.cfr');
    expect(cfreplay(['record', 'events', events, '-o', corpus, '--time', '2025-06-01T00:00:00Z']).status).toBe(0);
    // Serials of devices 4 and 7 (both Acme, so allowed by OLD) are revoked.
    const kvs = join(tmp.path, 'revoked.json');
    writeFileSync(kvs, JSON.stringify({ data: [4, 7].map((i) => ({ key: (0x1000 + i).toString(16).toUpperCase(), value: 'revoked' })) }));
    writeFileSync(
      join(tmp.path, 'revocation.js'),
      `import cf from 'cloudfront';
async function connectionHandler(connection) {
  var leaf = connection.clientCertificate.certificates.leaf;
  if (leaf.issuer !== 'CN=Acme Root CA,O=Acme') { connection.deny(); return; }
  if (await cf.kvs().exists(leaf.serialNumber)) { connection.logCustomData('revoked ' + leaf.serialNumber); connection.deny(); return; }
  connection.allow();
}`,
    );
    const json = join(tmp.path, 'kvs-report.json');
    const r = cfreplay(['replay', '--old', join(tmp.path, 'old.js'), '--new', join(tmp.path, 'revocation.js'), '--corpus', corpus, '--kvs', kvs, '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.outcomeTransitions).toEqual([{ from: 'connection-allow', to: 'connection-deny', count: 2 }]);
    const flip = report.diffs.find((d) => d.path === 'outcome')!;
    expect(flip.examples.map((e) => e.uri).sort()).toEqual(['CN=device-0004,O=Acme', 'CN=device-0007,O=Acme']);
    // The decision changed, so the custom data is not compared separately (the outcome diff says it all).
    expect(report.diffs).toHaveLength(1);
  });

  it('a connection function beside a viewer function is refused (exit 2, one line)', () => {
    const events = writeInputs();
    const corpus = join(tmp.path, 'refuse.cfr');
    expect(cfreplay(['record', 'events', events, '-o', corpus]).status).toBe(0);
    const viewer = join(tmp.path, 'viewer.js');
    writeFileSync(viewer, 'function handler(event) { return event.request; }');
    const r = cfreplay(['replay', '--old', join(tmp.path, 'old.js'), '--new', viewer, '--corpus', corpus]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is a connection function .* and .* a viewer function/);
  });

  it("AWS's revocation tutorial as written (connection.clientCertInfo.serialNumber) runs on events recorded with only the leaf, and on events written with only clientCertInfo", () => {
    const events = writeInputs(); // only clientCertificate.certificates.leaf, as corpora recorded before clientCertInfo
    const corpus = join(tmp.path, 'tutorial.cfr');
    expect(cfreplay(['record', 'events', events, '-o', corpus, '--time', '2025-06-01T00:00:00Z']).status).toBe(0);
    const kvs = join(tmp.path, 'revoked-serials.json');
    writeFileSync(kvs, JSON.stringify({ data: [4, 7].map((i) => ({ key: (0x1000 + i).toString(16).toUpperCase(), value: '' })) }));
    // The tutorial's function, verbatim but for the console.log lines.
    writeFileSync(
      join(tmp.path, 'tutorial.js'),
      `import cf from 'cloudfront';
async function connectionHandler(connection) {
    const kvsHandle = cf.kvs();
    const clientSerialNumber = connection.clientCertInfo.serialNumber;
    const serialNumberExistsInKvs = await kvsHandle.exists(clientSerialNumber);
    if (serialNumberExistsInKvs) {
        return connection.deny();
    }
    return connection.allow();
}`,
    );
    writeFileSync(join(tmp.path, 'allow-all.js'), 'function connectionHandler(connection) { connection.allow(); }');
    const json = join(tmp.path, 'tutorial.json');
    const r = cfreplay(['replay', '--old', join(tmp.path, 'allow-all.js'), '--new', join(tmp.path, 'tutorial.js'), '--corpus', corpus, '--kvs', kvs, '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.outcomes.new).toEqual({ 'connection-allow': 28, 'connection-deny': 2 });
    expect(report.diffs.find((d) => d.path === 'outcome')!.examples.map((e) => e.uri).sort()).toEqual(['CN=device-0004,O=Acme', 'CN=device-0007,O=Acme']);

    // A test event written the tutorial's way (only clientCertInfo): run gives the leaf to a function reading the other place.
    const leaf = connectionEvent(4, 'CN=Acme Root CA,O=Acme', '203.0.113.4').clientCertificate.certificates.leaf;
    const event = join(tmp.path, 'tutorial-event.json');
    writeFileSync(event, JSON.stringify({ clientCertInfo: leaf, clientIp: '203.0.113.4', endpoint: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', connectionId: 'c-4' }));
    const run = cfreplay(['run', join(tmp.path, 'old.js'), '--event', event, '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: { kind: 'connection-allow' } });
    const runNew = cfreplay(['run', join(tmp.path, 'tutorial.js'), '--event', event, '--kvs', kvs, '--json']);
    expect(JSON.parse(runNew.stdout)).toMatchObject({ outcome: { kind: 'connection-deny' } });
  });

  it('the HTML report of a connection replay in headless Chromium: outcomes, groups by population, an example with the event', async () => {
    const events = writeInputs();
    const corpus = join(tmp.path, 'html.cfr');
    expect(cfreplay(['record', 'events', events, '-o', corpus, '--time', '2025-06-01T00:00:00Z']).status).toBe(0);
    const json = join(tmp.path, 'html.json');
    const html = join(tmp.path, 'report.html');
    const r = cfreplay(['replay', '--old', join(tmp.path, 'old.js'), '--new', join(tmp.path, 'new.js'), '--corpus', corpus, '--json', json, '--html', html]);
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    const browser = await launchChromium();
    try {
      const { page, errors, offPage } = await openReportPage(browser, pathToFileURL(html).href);
      for (const side of ['old', 'new'] as const) {
        for (const [label, count] of Object.entries(report.outcomes[side])) {
          expect(await page.textContent(`#outcomes tr[data-outcome="${label}"] td[data-side="${side}"]`), `${side} ${label}`).toBe(String(count));
        }
      }
      expect(await page.$$eval('#groups .group', (els) => els.length)).toBe(report.diffs.length);
      const flip = report.diffs.find((d) => d.path === 'outcome')!;
      const group = page.locator(`.group[data-id="${flip.id}"]`);
      // The populations are the group's routes.
      const shown = await group.locator('.g-head .route').allTextContents();
      expect(shown).toEqual(flip.routes.slice(0, 3).map((x) => x.route));
      expect(shown[0]).toMatch(/^issuer CN=Acme Root CA,O=Acme \| subject CN=device-\*,O=Acme \| net 198\.51\.100\.0\/24$/);
      await group.locator('.g-head').click();
      const first = group.locator('.g-body .ex').first();
      expect(await first.locator('.method').textContent()).toBe('TLS');
      expect(await first.locator('.ex-uri').textContent()).toBe(flip.examples[0]!.uri);
      expect(flip.examples[0]!.uri).toMatch(/^CN=device-\d{4},O=Acme$/);
      // The example's event (as the functions received it: the leaf in both places) and both decisions.
      expect(report.samples.some((x) => x.eventId === flip.examples[0]!.eventId)).toBe(true);
      const eventPane = await first.locator('.sample .pane').nth(0).textContent();
      expect(eventPane).toContain('clientCertInfo');
      expect(eventPane).toContain(flip.examples[0]!.uri);
      expect(await first.locator('.sample .pane-h b').allTextContents()).toEqual(['EVENT', 'OLD OUTPUT', 'NEW OUTPUT']);
      // The route filter takes a population.
      const custom = report.diffs.find((d) => d.path === 'logCustomData')!;
      await page.fill('#f-route', 'issuer CN=Other CA');
      await page.waitForFunction((n) => document.querySelectorAll('#groups .group').length === n, 1, { timeout: 5_000 });
      expect(await page.$$eval('#groups .group', (els) => els.map((e) => (e as HTMLElement).dataset.id))).toEqual([custom.id]);
      expect(errors).toEqual([]);
      expect(offPage()).toEqual([]);
      await page.close();
    } finally {
      await browser.close();
    }
  }, 60_000);
});
