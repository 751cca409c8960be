// The recording proxy in front of an https origin (TLS on loopback, a self-signed certificate
// from test/fixtures/tls): trusted with originCa, refused with a clear 502 without it.
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { recordThroughProxy } from '../helpers/proxy-recording.js';

const fixtures = new URL('../fixtures/tls/', import.meta.url).pathname;
const cert = readFileSync(`${fixtures}origin-cert.pem`, 'utf8');
const key = readFileSync(`${fixtures}origin-key.pem`, 'utf8');

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function httpsOrigin(): Promise<{ url: URL; seen: { host: string | undefined; alpn: string | false | null }[] }> {
  const seen: { host: string | undefined; alpn: string | false | null }[] = [];
  const server = https.createServer({ key, cert, ALPNProtocols: ['http/1.1'] }, (req, res) => {
    seen.push({ host: req.headers.host, alpn: (req.socket as import('node:tls').TLSSocket).alpnProtocol });
    const body = `secure ${req.url}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length), 'set-cookie': 'sid=tls; Secure' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`), seen };
}

/** One plain-HTTP request to the proxy on a fresh connection: status and body. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
    socket.end(`GET ${path} HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n`);
  });
}

describe('record proxy: an https origin', () => {
  it('with its CA trusted (originCa): forwarded over TLS (ALPN http/1.1, Host of the origin) and recorded', async () => {
    const o = await httpsOrigin();
    const rec = await recordThroughProxy(o.url, { originCa: cert }, closers);
    const answer = await get(rec.proxy.port, '/account?tab=1');
    expect(answer).toEqual({ status: 200, body: 'secure /account?tab=1' });
    expect(o.seen).toEqual([{ host: o.url.host, alpn: 'http/1.1' }]);
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(summary.recordsWritten).toBe(1);
    const r = rec.sink.records[0]!;
    expect([r.request.uri, r.request.querystring.tab, r.request.headers.host, r.response?.statusCode]).toEqual(['/account', { value: '1' }, { value: 'www.example.com' }, 200]);
    expect(r.response!.cookies.sid).toEqual({ value: 'tls', attributes: 'Secure' });
  });

  it('with a certificate the proxy does not trust: the viewer gets a 502 naming the TLS error, recorded, and the log says how to trust it', async () => {
    const o = await httpsOrigin();
    const logs: string[] = [];
    const rec = await recordThroughProxy(o.url, { log: (l) => logs.push(l) }, closers);
    const answer = await get(rec.proxy.port, '/account');
    expect(answer.status).toBe(502);
    expect(answer.body).toMatch(/^cfreplay proxy: Bad Gateway: DEPTH_ZERO_SELF_SIGNED_CERT\n$/);
    expect(o.seen).toEqual([]);
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(rec.sink.records.map((r) => [r.request.uri, r.response?.statusCode])).toEqual([['/account', 502]]);
    expect(summary.warnings.join('\n')).toMatch(/origin errors .*: DEPTH_ZERO_SELF_SIGNED_CERT 1/);
    expect(logs.join('\n')).toMatch(/origin error DEPTH_ZERO_SELF_SIGNED_CERT \(the origin's TLS certificate is not trusted: --origin-ca <file\.pem> trusts its CA\)/);
  });
});
