// The recording proxy end to end on loopback: a real origin, real clients, streaming, errors, signals.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxySource, parseListen, parseTarget, type ProxyOptions } from '../../src/record/proxy/proxy-source.js';
import { parseDuration } from '../../src/util/duration.js';
import { openCorpusFile } from '../../src/store/index.js';
import { useTempDir } from '../helpers/tmp.js';
import { recordThroughProxy, type ProxyRecording } from '../helpers/proxy-recording.js';
import { waitFor } from '../helpers/wait.js';

const root = new URL('../../', import.meta.url).pathname;
const built = existsSync(join(root, 'dist/cli/main.js'));
if (!built) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` first (`npm test` does)');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function origin(handler: Handler): Promise<{ url: URL; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), server };
}

const recordThrough = (target: URL, options: Partial<ProxyOptions> = {}): Promise<ProxyRecording> => recordThroughProxy(target, options, closers);

const agent = new http.Agent({ keepAlive: true });
closers.push(async () => agent.destroy());

function request(url: string, options: http.RequestOptions & { body?: Buffer | string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('record proxy: options', () => {
  it('parses --listen, --target, --duration', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListen('nope')).toThrow(/--listen/);
    expect(parseTarget('http://origin:3000').host).toBe('origin:3000');
    expect(() => parseTarget('ftp://x')).toThrow(/only http/);
    expect(() => parseTarget('http://x/path')).toThrow(/origin only/);
    expect(parseDuration('10m', '--duration')).toBe(600_000);
    expect(parseDuration('1.5s', '--duration')).toBe(1500);
    expect(() => parseDuration('soon', '--duration')).toThrow(/not a duration/);
  });
});

describe('record proxy: loopback end to end', () => {
  it('forwards and records every exchange: headers in order, viewer IP, response; events recorded == requests answered', async () => {
    const seen: { host?: string; xff?: string; raw: string[] }[] = [];
    const o = await origin((req, res) => {
      seen.push({ host: req.headers.host, xff: req.headers['x-forwarded-for'] as string, raw: req.rawHeaders });
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        res.setHeader('Set-Cookie', ['sid=abc; Path=/; Secure', 'ab=B']);
        res.setHeader('Content-Type', 'text/plain');
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.end(`${req.method} ${req.url} ${n}`);
      });
    });
    const rec = await recordThrough(o.url);
    const answers = [];
    for (let i = 0; i < 20; i++) {
      answers.push(
        request(`${rec.base}/page/${i}?a=1&a=2&b=%20x`, {
          headers: [['Host', 'www.example.com'], ['X-Custom', 'one'], ['Cookie', `session=s${i % 3}; theme=dark`], ['x-custom', 'two'], ['Accept', 'text/html']].flat(),
        }),
      );
    }
    answers.push(request(`${rec.base}/form`, { method: 'POST', body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    answers.push(request(`${rec.base}/missing`));
    const got = await Promise.all(answers);
    expect(got[0]!.body.toString()).toBe('GET /page/0?a=1&a=2&b=%20x 0');
    expect(got[20]!.body.toString()).toBe('POST /form 7');
    expect(got[21]!.status).toBe(404);
    // The origin gets its own Host and the client address in X-Forwarded-For.
    expect(seen[0]!.host).toBe(o.url.host);
    expect(seen[0]!.xff).toBe('127.0.0.1');
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(summary.recordsWritten).toBe(got.length);
    expect(summary.sources[0]!.info).toMatchObject({ requests: '22', answered: '22' });
    const r = rec.sink.records.find((x) => x.request.uri === '/page/3')!;
    expect(r.viewerIp).toBe('127.0.0.1');
    expect(r.rawQuery).toBe('a=1&a=2&b=%20x');
    expect(r.request.querystring.b).toEqual({ value: '%20x' });
    expect(Object.keys(r.request.headers)).toEqual(['host', 'x-custom', 'accept']);
    expect(r.request.headers.host).toEqual({ value: 'www.example.com' }); // the viewer's Host
    expect(r.request.headers['x-custom']).toEqual({ value: 'one', multiValue: [{ value: 'one' }, { value: 'two' }] });
    expect(r.request.cookies).toEqual({ session: { value: 's0' }, theme: { value: 'dark' } });
    expect(r.response!.statusCode).toBe(200);
    expect(r.response!.cookies.sid).toEqual({ value: 'abc', attributes: 'Path=/; Secure' });
    expect(rec.sink.records.find((x) => x.request.uri === '/missing')!.response!.statusCode).toBe(404);
  });

  it('streams large bodies both ways without buffering them', async () => {
    const chunk = Buffer.alloc(1 << 20, 7);
    let originGotFirst!: () => void;
    const originGotFirstP = new Promise<void>((r) => (originGotFirst = r));
    let clientGotFirst!: () => void;
    const clientGotFirstP = new Promise<void>((r) => (clientGotFirst = r));
    const o = await origin((req, res) => {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => {
        if (n === 0) originGotFirst();
        n += c.length;
        h.update(c);
      });
      req.on('end', async () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-request-sha256': h.digest('hex'), 'x-request-bytes': String(n) });
        res.write(chunk);
        await clientGotFirstP; // the first MiB reached the client while the origin has not finished
        for (let i = 0; i < 31; i++) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        res.end();
      });
    });
    const rec = await recordThrough(o.url);
    const result = await new Promise<{ status: number; bytes: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(`${rec.base}/upload`, { method: 'PUT', agent }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          if (bytes === 0) clientGotFirst();
          bytes += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode!, bytes, headers: res.headers }));
      });
      req.on('error', reject);
      void (async () => {
        req.write(chunk);
        await originGotFirstP; // the origin saw the first MiB while the client has not finished
        for (let i = 0; i < 31; i++) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })();
    });
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(32 << 20);
    expect(result.headers['x-request-bytes']).toBe(String(32 << 20));
    const expected = createHash('sha256');
    for (let i = 0; i < 32; i++) expected.update(chunk);
    expect(result.headers['x-request-sha256']).toBe(expected.digest('hex'));
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(summary.recordsWritten).toBe(1);
    expect(rec.sink.records[0]!.request.headers['transfer-encoding']).toEqual({ value: 'chunked' });
  }, 30_000);

  it('origin errors become 502 and timeouts 504, for the viewer and in the recording', async () => {
    const o = await origin((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/reset') {
        req.socket.destroy();
        return;
      }
      res.end('ok');
    });
    // 1 s: /hang never answers whatever the limit; /reset must get its reset (502) before the
    // limit, and its origin, in this process, can be slow to run on a loaded machine.
    const rec = await recordThrough(o.url, { timeoutMs: 1_000 });
    const hang = await request(`${rec.base}/hang`);
    expect(hang.status).toBe(504);
    const reset = await request(`${rec.base}/reset`);
    expect(reset.status).toBe(502);
    expect(reset.body.toString()).toMatch(/Bad Gateway/);
    rec.proxy.stop('test');
    const summary = await rec.done;
    const byUri = Object.fromEntries(rec.sink.records.map((r) => [r.request.uri, r.response?.statusCode]));
    expect(byUri).toEqual({ '/hang': 504, '/reset': 502 });
    expect(summary.warnings.join('\n')).toMatch(/origin timeouts .*504.*: 1/);
    expect(summary.warnings.join('\n')).toMatch(/origin errors .*502.*ECONNRESET 1/);
  });

  it('the origin time limit counts from the last sign of life: a slow but steady answer passes, a stall mid-answer is cut', async () => {
    const o = await origin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (req.url === '/steady') {
        // 10 chunks 150 ms apart: 1.5 s in all, more than the 1 s limit, never quiet for 1 s. (With
        // 120 ms against a 300 ms limit, one late tick of this origin's timer on a loaded machine
        // was a real silence of 300 ms.)
        let n = 0;
        const t = setInterval(() => {
          res.write(`chunk ${n}\n`);
          if (++n === 10) {
            clearInterval(t);
            res.end();
          }
        }, 150);
        return;
      }
      res.write('first part\n'); // /stall: then nothing
    });
    const LIMIT_MS = 1_000;
    const rec = await recordThrough(o.url, { timeoutMs: LIMIT_MS });
    const steady = await request(`${rec.base}/steady`);
    expect(steady.status).toBe(200);
    expect(steady.body.toString().split('\n').filter(Boolean)).toHaveLength(10);
    const started = performance.now();
    await expect(request(`${rec.base}/stall`)).rejects.toThrow();
    const waited = performance.now() - started;
    // Cut after the limit of silence, not before; and cut (the upper bound is a hang guard: the
    // proxy's check runs late on a loaded machine).
    expect(waited).toBeGreaterThanOrEqual(LIMIT_MS - 10);
    expect(waited).toBeLessThan(10 * LIMIT_MS);
    rec.proxy.stop('test');
    const summary = await rec.done;
    expect(rec.sink.records.map((r) => [r.request.uri, r.response?.statusCode])).toEqual([
      ['/steady', 200],
      ['/stall', 200],
    ]);
    expect(summary.notes).toEqual([{ note: 'origin stalled in the middle of the answer (connection cut)', count: 1 }]);
    expect(summary.warnings.join('\n')).toMatch(/origin timeouts .*: 1/);
  });

  it('--trust-forwarded takes the first X-Forwarded-For hop; --max-events stops the recording', async () => {
    const o = await origin((_req, res) => res.end('ok'));
    const rec = await recordThrough(o.url, { trustForwarded: true, maxEvents: 2 });
    await request(`${rec.base}/1`, { headers: { 'x-forwarded-for': '198.51.100.44, 10.0.0.1' } });
    await request(`${rec.base}/2`, { headers: { 'x-forwarded-for': 'garbage' } });
    const summary = await rec.done; // ends by itself
    expect(summary.recordsWritten).toBe(2);
    expect(rec.sink.records.map((r) => r.viewerIp)).toEqual(['198.51.100.44', '127.0.0.1']);
    expect(summary.sources[0]!.info.stopped).toMatch(/--max-events 2/);
  });

  it('a port in use and an unreachable origin: clear one-line errors', async () => {
    const o = await origin((_req, res) => res.end('ok'));
    const port = Number(o.url.port);
    await expect(startProxySource({ listen: { host: '127.0.0.1', port }, target: o.url, handleSignals: false })).rejects.toThrow(
      /^--listen 127\.0\.0\.1:\d+: address already in use/,
    );
    const dead = await origin((_req, res) => res.end());
    const deadUrl = dead.url;
    await closers.pop()!(); // close it: nothing listens there any more
    await expect(startProxySource({ listen: { host: '127.0.0.1', port: 0 }, target: deadUrl, handleSignals: false })).rejects.toThrow(
      /^cannot reach the origin http:\/\/127\.0\.0\.1:\d+: connection refused/,
    );
  });
});

describe('record proxy: the CLI in a child process', () => {
  const tmp = useTempDir();

  it('flushes within a second, and SIGTERM finishes the corpus with the summary (exit 0)', async () => {
    const o = await origin((_req, res) => res.end('hello'));
    const out = join(tmp.path, 'live.cfr');
    const child = spawn(process.execPath, [join(root, 'bin/cfreplay'), 'record', 'proxy', '--listen', '127.0.0.1:0', '--target', o.url.origin, '-o', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Waits for the line (a loaded machine took more than the fixed 10 s it had to start the CLI).
    const port = Number(await waitFor('the proxy to start', () => /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]));
    const n = 25;
    for (let i = 0; i < n; i++) expect((await request(`http://127.0.0.1:${port}/item/${i}`)).status).toBe(200);
    // Unfinished file: the chunks flushed so far are readable already, while the proxy runs (25
    // records fill no chunk: only the periodic flush writes them). Read until all are there, up
    // to 15 s: the flush is due after a second, but a loaded machine runs the child's timer late
    // (a fixed 1.6 s wait found fewer); a proxy that flushed only when it ends never gets there.
    const flushed = await waitFor(
      `the ${n} records to be flushed while the proxy runs`,
      async () => {
        const partial = await openCorpusFile(out);
        try {
          expect(partial.complete).toBe(false);
          let count = 0;
          for await (const _ of partial.records()) count++;
          return count === n ? count : undefined;
        } finally {
          await partial.close();
        }
      },
      15_000,
    );
    expect(flushed).toBe(n);
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: stopping/);
    expect(stderr).toMatch(new RegExp(`recorded ${n} exchanges from 1 input`));
    // The summary names the port the proxy got for --listen 127.0.0.1:0, not ":0".
    expect(stderr).toContain(`proxy 127.0.0.1:${port} -> ${o.url.origin}`);
    expect(stderr).not.toContain('proxy 127.0.0.1:0 ');
    const f = await openCorpusFile(out);
    expect(f.complete).toBe(true);
    expect(f.events).toBe(n);
    await f.close();
  }, 120_000);
});
