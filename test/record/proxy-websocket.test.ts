// WebSocket through the recording proxy on loopback: a real `ws` echo origin, a real `ws` client,
// messages both ways, the recorded handshake, origin failures, and sockets closed on stop.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { toViewerRequestEvent, toViewerResponseEvent, viewerResponseSkipReason } from '../../src/event/index.js';
import type { ProxyOptions } from '../../src/record/proxy/proxy-source.js';
import { isWebSocketUpgrade, upgradeRequestHeaders } from '../../src/record/proxy/websocket.js';
import { openCorpusFile } from '../../src/store/index.js';
import { requireCliBuilt, runCli, startCli } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';
import { useTempDir } from '../helpers/tmp.js';
import { recordThroughProxy, type ProxyRecording } from '../helpers/proxy-recording.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

interface Origin {
  url: URL;
  server: http.Server;
  /** The handshake requests the origin received. */
  handshakes: http.IncomingMessage[];
  /** Server-side sockets of the upgraded connections. */
  peers: WebSocket[];
}

/** An echo WebSocket origin (plain HTTP requests get "http ok"). */
async function echoOrigin(wssOptions: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<Origin> {
  const server = http.createServer((_req, res) => res.end('http ok'));
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('chat.v1') ? 'chat.v1' : false), ...wssOptions });
  const origin: Origin = { url: new URL('http://127.0.0.1'), server, handshakes: [], peers: [] };
  wss.on('connection', (ws, req) => {
    origin.handshakes.push(req);
    origin.peers.push(ws);
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'die') {
        ws.terminate(); // the origin drops the TCP connection in the middle of the session
        return;
      }
      ws.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  closers.push(
    () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return origin;
}

interface Recording extends ProxyRecording {
  ws: string;
  http: string;
}

async function recordThrough(target: URL, options: Partial<ProxyOptions> = {}): Promise<Recording> {
  const rec = await recordThroughProxy(target, options, closers);
  return { ...rec, ws: rec.base.replace(/^http/, 'ws'), http: rec.base };
}

function connect(url: string, options: WebSocket.ClientOptions = {}, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    closers.push(async () => ws.terminate());
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The status of a handshake the proxy (or origin) answered without upgrading. */
function refusedStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => reject(new Error('upgraded')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, binary) => resolve({ data: Buffer.from(data as Buffer), binary })));
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve(-1);
    else ws.once('close', (code) => resolve(code));
  });
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('record proxy: WebSocket headers', () => {
  it('recognises WebSocket upgrades and forwards the handshake with Connection/Upgrade restored', () => {
    expect(isWebSocketUpgrade('websocket')).toBe(true);
    expect(isWebSocketUpgrade('h2c, WebSocket')).toBe(true);
    expect(isWebSocketUpgrade('h2c')).toBe(false);
    expect(isWebSocketUpgrade(undefined)).toBe(false);
    const raw = ['Host', 'www.example.com', 'Connection', 'keep-alive, Upgrade', 'Upgrade', 'WebSocket', 'Sec-WebSocket-Key', 'k', 'Keep-Alive', '5'];
    expect(upgradeRequestHeaders(raw, 'origin:3000', '127.0.0.1')).toEqual([
      'Host', 'origin:3000',
      'Sec-WebSocket-Key', 'k',
      'X-Forwarded-For', '127.0.0.1',
      'Connection', 'Upgrade',
      'Upgrade', 'WebSocket',
    ]);
  });
});

describe('record proxy: WebSocket forwarding on loopback', () => {
  it('relays messages both ways and records the handshake as a viewer request with a 101 that replay skips for viewer-response', async () => {
    const o = await echoOrigin();
    const rec = await recordThrough(o.url);
    const ws = await connect(`${rec.ws}/chat?room=42`, { headers: { 'X-Team': 'blue', Cookie: 'sid=abc' } }, ['chat.v1']);
    expect(ws.protocol).toBe('chat.v1'); // negotiated end to end
    ws.send('hello');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('hello'), binary: false });
    // A message larger than any socket read, binary: many TCP segments each way.
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    ws.send(big);
    const echoed = await nextMessage(ws);
    expect(echoed.binary).toBe(true);
    expect(echoed.data.equals(big)).toBe(true);
    // Plain requests keep working beside an open WebSocket.
    expect(await httpGet(`${rec.http}/plain`)).toEqual({ status: 200, body: 'http ok' });
    expect(rec.proxy.progress().webSocketsOpen).toBe(1);

    // What the origin saw: the viewer's request line and headers, the origin's Host, X-Forwarded-For.
    const seen = o.handshakes[0]!;
    expect(seen.url).toBe('/chat?room=42');
    expect(seen.headers.host).toBe(o.url.host);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-team']).toBe('blue');
    expect(seen.headers.upgrade).toBe('websocket');

    ws.close(1000, 'bye');
    expect(await closed(ws)).toBe(1000);
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(summary.recordsWritten).toBe(2);
    const handshake = rec.sink.records.find((r) => r.request.uri === '/chat')!;
    expect(handshake.request.querystring).toEqual({ room: { value: '42' } });
    expect(handshake.request.headers['x-team']).toEqual({ value: 'blue' });
    expect(handshake.request.headers['sec-websocket-protocol']).toEqual({ value: 'chat.v1' });
    expect(handshake.request.headers.upgrade).toBeUndefined(); // CloudFront never shows Upgrade/Connection to a function
    expect(handshake.request.headers.connection).toBeUndefined();
    expect(handshake.request.cookies).toEqual({ sid: { value: 'abc' } });
    expect(handshake.viewerIp).toBe('127.0.0.1');
    expect(handshake.response!.statusCode).toBe(101);
    expect(handshake.response!.headers['sec-websocket-protocol']).toEqual({ value: 'chat.v1' });
    // Replay: a viewer-request event, no viewer-response event (CloudFront runs none on a 101).
    expect(toViewerRequestEvent(handshake).request.uri).toBe('/chat');
    expect(viewerResponseSkipReason(handshake)).toBe('interim 1xx response');
    expect(toViewerResponseEvent(handshake)).toBeUndefined();
    expect(summary.noViewerResponse.reasons).toEqual([expect.objectContaining({ reason: 'interim 1xx response', count: 1 })]);
    expect(summary.notes).toEqual([{ note: expect.stringMatching(/^WebSocket handshake/), count: 1 }]);
    expect(summary.sources[0]!.info).toMatchObject({ requests: '2', answered: '2', websockets: expect.stringMatching(/^1 /) });
  }, 30_000);

  it('a handshake the origin declines is relayed with its status and recorded as such', async () => {
    const o = await echoOrigin({ verifyClient: (_info, cb) => cb(false, 403, 'Forbidden') });
    const rec = await recordThrough(o.url);
    const refused = await refusedStatus(`${rec.ws}/private`);
    expect(refused.status).toBe(403);
    expect(refused.body).toBe('Forbidden');
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(rec.sink.records.map((r) => [r.request.uri, r.response?.statusCode])).toEqual([['/private', 403]]);
    expect(summary.sources[0]!.info['websocket upgrades declined by the origin']).toBe('1');
  });

  it('origin down: 502; origin silent: 504 after --timeout; both recorded and counted', async () => {
    const silent = http.createServer();
    const held: Socket[] = [];
    silent.on('upgrade', (_req, socket: Socket) => held.push(socket)); // takes the handshake, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => { for (const s of held) s.destroy(); silent.close(() => r()); }));
    const rec = await recordThrough(new URL(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`), { timeoutMs: 300 });
    const timedOut = await refusedStatus(`${rec.ws}/slow`);
    expect(timedOut.status).toBe(504);
    expect(timedOut.body).toMatch(/Gateway Timeout: no answer from the origin within 0.3 s/);

    const o = await echoOrigin();
    const down = await recordThrough(o.url, { skipProbe: true });
    await new Promise<void>((r) => { o.server.closeAllConnections(); o.server.close(() => r()); }); // nothing listens there now
    const bad = await refusedStatus(`${down.ws}/gone`);
    expect(bad.status).toBe(502);
    expect(bad.body).toMatch(/Bad Gateway: ECONNREFUSED/);

    rec.proxy.stop('test');
    down.proxy.stop('test');
    const [s1, s2] = await Promise.all([rec.done, down.done]);
    expect(rec.sink.records.map((r) => r.response?.statusCode)).toEqual([504]);
    expect(down.sink.records.map((r) => r.response?.statusCode)).toEqual([502]);
    expect(s1.warnings.join('\n')).toMatch(/origin timeouts .*: 1/);
    expect(s2.warnings.join('\n')).toMatch(/origin errors .*ECONNREFUSED 1/);
  });

  it('the origin dropping an open connection closes the viewer side too', async () => {
    const o = await echoOrigin();
    const rec = await recordThrough(o.url);
    const ws = await connect(`${rec.ws}/drop`);
    ws.send('die');
    expect(await closed(ws)).toBe(1006); // abnormal closure: the TCP connection went away
    await new Promise((r) => setTimeout(r, 20));
    expect(rec.proxy.progress().webSocketsOpen).toBe(0);
    rec.proxy.stop('test');
    expect((await rec.done).recordsWritten).toBe(1);
  });

  it('stopping the proxy closes open WebSockets on both sides and leaves no socket behind', async () => {
    const o = await echoOrigin();
    const logs: string[] = [];
    const rec = await recordThrough(o.url, { log: (l) => logs.push(l) });
    const a = await connect(`${rec.ws}/a`);
    const b = await connect(`${rec.ws}/b`);
    a.send('ping');
    await nextMessage(a);
    const originSides = o.peers.map(closed);
    const originSockets = o.peers.map((p) => (p as unknown as { _socket: Socket })._socket);
    expect(originSockets).toHaveLength(2);
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(await Promise.all([closed(a), closed(b)])).toEqual([1006, 1006]);
    await Promise.all(originSides);
    expect(originSockets.every((s) => s.destroyed)).toBe(true);
    expect(summary.recordsWritten).toBe(2);
    expect(logs.join('\n')).toMatch(/closed 2 open WebSocket connection\(s\)/);
    expect(rec.proxy.progress().webSocketsOpen).toBe(0);
    // The proxy's listening server has fully closed: nothing is left open on it.
    await expect(fetchRefused(rec.http)).resolves.toBe('ECONNREFUSED');
  });

  it('after the stop, and for other protocols, upgrades are refused and not recorded', async () => {
    const o = await echoOrigin();
    const rec = await recordThrough(o.url, { maxEvents: 1 });
    const h2c = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${rec.http}/h2`, { headers: { connection: 'Upgrade', upgrade: 'h2c' }, agent: false });
      req.on('response', (res) => resolve(res.statusCode!));
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    expect(h2c).toBe(501);
    const ws = await connect(`${rec.ws}/only`); // the one event --max-events allows
    const summary = await rec.done;
    await closed(ws);
    expect(summary.recordsWritten).toBe(1);
    expect(summary.sources[0]!.info.stopped).toMatch(/--max-events 1/);
    expect(summary.warnings.join('\n')).toMatch(/1 protocol upgrade request\(s\) other than WebSocket answered 501 and not recorded/);
  });
});

function fetchRefused(url: string): Promise<string> {
  return new Promise((resolve) => {
    http
      .get(url, { agent: false }, () => resolve('answered'))
      .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('record proxy: WebSocket through the CLI into a corpus file', () => {
  beforeAll(requireCliBuilt);
  const tmp = useTempDir();

  it('the handshake is stored with its 101, gives a viewer-request event and no viewer-response event', async () => {
    const o = await echoOrigin();
    const out = join(tmp.path, 'ws.cfr');
    const run = startCli(['record', 'proxy', '--listen', '127.0.0.1:0', '--target', o.url.origin, '--max-events', '2', '-o', out]);
    closers.push(async () => {
      run.child.kill('SIGKILL');
    });
    // Waits for the line, not a fixed 10 s: a loaded machine took longer to start the CLI.
    const port = Number(await waitFor('the proxy to listen', () => /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.stderr())?.[1]));
    expect(port).toBeGreaterThan(0);
    const ws = await connect(`ws://127.0.0.1:${port}/live?v=2`);
    ws.send('through the CLI');
    expect((await nextMessage(ws)).data.toString()).toBe('through the CLI');
    expect(await httpGet(`http://127.0.0.1:${port}/index.html`)).toEqual({ status: 200, body: 'http ok' });
    // --max-events 2 reached: the proxy stops, closes the WebSocket, finishes the file.
    expect(await closed(ws)).toBe(1006);
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toMatch(/closed 1 open WebSocket connection\(s\)/);
    expect(run.stderr()).toMatch(/note: WebSocket handshake \(the frames that followed were relayed, not recorded\): 1/);

    const f = await openCorpusFile(out);
    const stored = [];
    for await (const r of f.records()) stored.push(r);
    await f.close();
    expect(stored.map((r) => [r.request.uri, r.response?.statusCode])).toEqual([
      ['/live', 101],
      ['/index.html', 200],
    ]);
    const [requests, responses] = await Promise.all([runCli(['cat', out]), runCli(['cat', out, '--event-type', 'viewer-response'])]);
    expect(requests.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { request: { uri: string } }).request.uri)).toEqual(['/live', '/index.html']);
    expect(responses.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { request: { uri: string } }).request.uri)).toEqual(['/index.html']);
  }, 120_000); // three CLI processes: seconds each on a loaded machine
});
