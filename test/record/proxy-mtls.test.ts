// The recording proxy with --cert/--key/--client-ca, over real TLS on loopback: CAs and client
// certificates made here with openssl; each handshake presenting a certificate that verifies gives one
// connection event (fields checked against openssl's own reading of the certificate), an untrusted one is
// counted as skipped, a connection without one gives none; the HTTP exchanges are recorded beside them.
// Then an allow-list change replayed over the recorded corpus flips exactly the expected client.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedConnection } from '../../src/event/index.js';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { recordOptionsFromArgs, type RecordCommonArgs } from '../../src/record/cli.js';
import { FILTERED } from '../../src/record/filters.js';
import { sampleHash } from '../../src/record/sampling.js';
import { openCorpusSink } from '../../src/record/corpus-sink.js';
import { startProxySource } from '../../src/record/proxy/proxy-source.js';
import { MTLS_SKIP } from '../../src/record/proxy/mtls.js';
import type { ReplayReport } from '../../src/results/types.js';
import { openCorpus } from '../../src/store/index.js';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';
import { certFactory } from '../helpers/tls-certs.js';

const tmp = useTempDir();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

const { openssl, makeCert, makeCa, pem, keyOf } = certFactory(() => tmp.path);

async function origin(): Promise<URL> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

function get(port: number, path: string, client?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: 'localhost',
        ca: pem('proxy'),
        agent: false,
        ...(client !== undefined ? { cert: pem(client), key: keyOf(client) } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('record proxy with TLS and client certificates', () => {
  it('records one connection event per verified client certificate, beside the HTTP exchanges; replay flips exactly the partner client', async () => {
    makeCert('acme-ca', '/CN=Acme Root CA/O=Acme', undefined, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    makeCert('partner-ca', '/CN=Partner CA/O=Partner', undefined, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    makeCert('proxy', '/CN=localhost', undefined, ['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    makeCert('device-1', '/CN=device-0001/O=Acme', 'acme-ca');
    makeCert('device-2', '/CN=device-0002/O=Acme', 'acme-ca');
    makeCert('partner-7', '/CN=partner-7/O=Partner', 'partner-ca');
    makeCert('rogue', '/CN=rogue/O=Nobody');
    writeFileSync(join(tmp.path, 'clients-ca.pem'), pem('acme-ca') + pem('partner-ca'));

    const corpus = join(tmp.path, 'mtls.cfr');
    const proxy = await startProxySource({
      listen: { host: '127.0.0.1', port: 0 },
      target: await origin(),
      handleSignals: false,
      tls: { cert: pem('proxy'), key: keyOf('proxy'), clientCa: pem('clients-ca'), endpoint: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' },
    });
    const done = runRecording([proxy], await openCorpusSink(corpus), { output: corpus });
    closers.push(async () => {
      proxy.stop('test end', 100);
      await done.catch(() => undefined);
    });
    for (const client of ['device-1', 'device-2', 'partner-7', 'rogue', undefined]) {
      const r = await get(proxy.port, `/from/${client ?? 'anonymous'}`, client);
      expect(r).toEqual({ status: 200, body: `hello /from/${client ?? 'anonymous'}` });
    }
    proxy.stop('test end', 1000);
    const summary = await done;
    expect(summary.connectionEvents).toBe(3);
    expect(summary.viewerRequestEvents).toBe(5);
    expect(summary.skipped.reasons.map((r) => [r.reason, r.count])).toEqual([[MTLS_SKIP.untrusted, 1]]);

    const c = await openCorpus(corpus);
    const connections: RecordedConnection[] = [];
    for await (const r of c.records()) if ('kind' in r) connections.push(r);
    await c.close();
    const bySubject = new Map(connections.map((r) => [r.event.clientCertificate!.certificates.leaf.subject, r]));
    expect([...bySubject.keys()].sort()).toEqual(['CN=device-0001,O=Acme', 'CN=device-0002,O=Acme', 'CN=partner-7,O=Partner']);
    const one = bySubject.get('CN=device-0001,O=Acme')!;
    const leaf = one.event.clientCertificate!.certificates.leaf;
    expect(leaf.issuer).toBe('CN=Acme Root CA,O=Acme');
    // The same facts as openssl reads them from the certificate file.
    expect(leaf.serialNumber).toBe(openssl(['x509', '-in', 'device-1.pem', '-noout', '-serial']).trim().replace(/^serial=/, '').toUpperCase());
    expect(leaf.sha256Fingerprint).toBe(openssl(['x509', '-in', 'device-1.pem', '-noout', '-fingerprint', '-sha256']).trim().replace(/^.*=/, '').replace(/:/g, '').toLowerCase());
    const notAfter = Date.parse(openssl(['x509', '-in', 'device-1.pem', '-noout', '-enddate']).trim().replace(/^notAfter=/, ''));
    expect(leaf.validity.notAfter).toBe(new Date(notAfter).toISOString());
    expect(one.event.clientIp).toBe('127.0.0.1');
    expect(one.event.endpoint).toBe('localhost'); // the SNI name the client sent
    expect(one.event.distributionId).toBe('EDFDVBD6EXAMPLE');
    expect(one.event.connectionId).toMatch(/^[0-9a-f]{32}$/);
    expect(one.id).toBe(one.event.connectionId);
    // The same leaf where AWS's revocation tutorial reads it (connection.clientCertInfo.serialNumber).
    expect(one.event.clientCertInfo).toEqual(leaf);

    // OLD accepts both CAs; NEW drops the partner CA: exactly partner-7 flips to deny.
    writeFileSync(join(tmp.path, 'old.js'), `function connectionHandler(c) { var i = c.clientCertificate.certificates.leaf.issuer; if (i === 'CN=Acme Root CA,O=Acme' || i === 'CN=Partner CA,O=Partner') c.allow(); else c.deny(); }`);
    writeFileSync(join(tmp.path, 'new.js'), `function connectionHandler(c) { if (c.clientCertificate.certificates.leaf.issuer === 'CN=Acme Root CA,O=Acme') c.allow(); else c.deny(); }`);
    const json = join(tmp.path, 'report.json');
    const r = cfreplay(['replay', '--old', join(tmp.path, 'old.js'), '--new', join(tmp.path, 'new.js'), '--corpus', corpus, '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.events).toBe(3);
    expect(report.outcomeTransitions).toEqual([{ from: 'connection-allow', to: 'connection-deny', count: 1 }]);
    expect(report.diffs).toHaveLength(1);
    expect(report.diffs[0]!.routes).toEqual([{ route: 'issuer CN=Partner CA,O=Partner | subject CN=partner-*,O=Partner | net 127.0.0.0/24', count: 1 }]);
    expect(report.diffs[0]!.examples[0]!.uri).toBe('CN=partner-7,O=Partner');
  }, 60_000);

  it('record options on connection events: host filters see the endpoint, URL and method filters leave them, sampling keeps a client whole, redaction leaves them as they are', async () => {
    makeCa('acme-ca', '/CN=Acme Root CA/O=Acme');
    makeCert('proxy', '/CN=localhost', undefined, ['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
    makeCert('device-1', '/CN=device-0001/O=Acme', 'acme-ca');
    const target = await origin();
    /** Record two requests with a client certificate and one without through a proxy set up with these record options. */
    const recordWith = async (options: Partial<RecordCommonArgs>) => {
      const { filters, steps } = recordOptionsFromArgs({ 'distribution-domain': 'd111111abcdef8.cloudfront.net', 'distribution-id': 'EDFDVBD6EXAMPLE', append: false, force: false, 'json-summary': false, quiet: true, ...options });
      const proxy = await startProxySource({
        listen: { host: '127.0.0.1', port: 0 },
        target,
        handleSignals: false,
        tls: { cert: pem('proxy'), key: keyOf('proxy'), clientCa: pem('acme-ca'), endpoint: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE' },
      });
      const sink = new MemorySink();
      const done = runRecording([proxy], sink, { filters, steps });
      closers.push(async () => {
        proxy.stop('test end', 100);
        await done.catch(() => undefined);
      });
      await get(proxy.port, '/api/a?token=t1', 'device-1');
      await get(proxy.port, '/static/b', 'device-1');
      await get(proxy.port, '/api/c');
      proxy.stop('test end', 1000);
      const summary = await done;
      const connections = sink.records.filter((r): r is RecordedConnection => 'kind' in r && r.kind === 'connection');
      const uris = sink.records.flatMap((r) => ('kind' in r ? [] : [r.request.uri]));
      return { summary, connections, uris, filtered: Object.fromEntries(summary.filtered.reasons.map((r) => [r.reason, r.count])) };
    };

    const plain = await recordWith({});
    expect(plain.connections).toHaveLength(2);
    expect(plain.uris.sort()).toEqual(['/api/a', '/api/c', '/static/b']);

    // Host filters apply to the endpoint the client connected to (its SNI name, here localhost).
    const otherHost = await recordWith({ 'include-host': ['www.example.com'] });
    expect(otherHost.connections).toHaveLength(0);
    expect(otherHost.uris).toEqual([]);
    expect(otherHost.filtered).toEqual({ [FILTERED.includeHost]: 5 });
    // The requests' Host is 127.0.0.1:port while the handshakes named localhost (SNI): each is filtered by its own host.
    const excluded = await recordWith({ 'exclude-host': ['localhost'] });
    expect(excluded.connections).toHaveLength(0);
    expect(excluded.uris).toHaveLength(3);
    expect(excluded.filtered).toEqual({ [FILTERED.excludeHost]: 2 });
    const onlyLocalhost = await recordWith({ 'include-host': ['localhost'] });
    expect(onlyLocalhost.connections).toHaveLength(2);
    expect(onlyLocalhost.uris).toHaveLength(0);

    // URL and method filters select requests; the handshakes stay.
    const api = await recordWith({ include: ['/api/'], method: ['GET'] });
    expect(api.uris.sort()).toEqual(['/api/a', '/api/c']);
    expect(api.connections).toHaveLength(2);
    expect(api.filtered).toEqual({ [FILTERED.include]: 1 });

    // Sampling by client address: the handshakes go with their client's requests, kept or dropped together.
    const h = sampleHash('ip\u0000127.0.0.1');
    const kept = await recordWith({ sample: String(Math.min(1, h + 0.001)) });
    expect(kept.connections).toHaveLength(2);
    expect(kept.uris).toHaveLength(3);
    const dropped = await recordWith({ sample: String(Math.max(0.0001, h - 0.001)) });
    expect(dropped.connections).toHaveLength(0);
    expect(dropped.uris).toHaveLength(0);
    expect(Object.values(dropped.filtered).reduce((a, b) => a + b, 0)).toBe(5);
    // A cookie key the handshake cannot have falls back to the client address, as for a request without the cookie.
    expect((await recordWith({ sample: String(Math.max(0.0001, h - 0.001)), 'sample-key': 'cookie:session' })).connections).toHaveLength(0);

    // Redaction names HTTP fields: the connection events are stored exactly as built.
    const redacted = await recordWith({ redact: ['credentials'], 'redact-key': 'k' });
    expect(redacted.connections).toHaveLength(2);
    const strip = (c: RecordedConnection) => ({ ...c.event, connectionId: '' });
    expect(redacted.connections.map(strip)).toEqual(plain.connections.map(strip));
    expect(redacted.summary.connectionEvents).toBe(2);
  }, 90_000);
});
