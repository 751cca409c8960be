// The recording proxy's live progress line, and the CLI's edges: a real terminal (a pty made by
// util-linux `script`), Ctrl-C and SIGINT finishing the corpus, and one-line errors for bad input.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCorpusSink } from '../../src/record/corpus-sink.js';
import { formatProxyProgress, formatUptime } from '../../src/record/proxy/progress.js';
import { CountedSink } from '../../src/record/sink-stats.js';
import { openCorpusFile } from '../../src/store/index.js';
import { bin, requireCliBuilt, runCli, startCli } from '../helpers/cli-process.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { useTempDir } from '../helpers/tmp.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function origin(): Promise<URL> {
  const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

const agent = new http.Agent({ keepAlive: true });
closers.push(async () => agent.destroy());

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      })
      .on('error', reject);
  });
}

/** Wait until `read()` matches `re` (the proxy prints its address once it listens). */
async function waitFor(read: () => string, re: RegExp, ms = 15_000): Promise<RegExpExecArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = re.exec(read());
    if (m !== null) return m;
    if (Date.now() > until) throw new Error(`timed out waiting for ${re}: ${JSON.stringify(read())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('record proxy progress: the line', () => {
  it('says recorded, req/s, origin errors, bytes/chunks, WebSockets, uptime, short enough for a terminal', () => {
    const line = formatProxyProgress(
      { requests: 123_456, answered: 123_400, originErrors: 3, webSocketsOpen: 2, bytesRead: 0 },
      { records: 123_400, chunks: 12, bytes: 4_234_567 },
      850.4,
      3_723_000,
    );
    expect(line).toBe('proxy up 1:02:03: 123,400 recorded, 850 req/s, 3 origin errors, 4.2 MB in 12 chunks, 2 WebSockets');
    // A dry run counts no chunks: the figure is left out rather than shown as zero.
    expect(formatProxyProgress({ requests: 0, answered: 0, originErrors: 0, webSocketsOpen: 1, bytesRead: 0 }, { records: 5, chunks: undefined, bytes: undefined }, 0, 59_999)).toBe(
      'proxy up 0:59: 5 recorded, 0 req/s, 0 origin errors, 1 WebSocket',
    );
    // A typical line fits 80 columns.
    expect(formatProxyProgress({ requests: 9999, answered: 9999, originErrors: 0, webSocketsOpen: 0, bytesRead: 0 }, { records: 9999, chunks: 1, bytes: 950_000 }, 1234, 600_000).length).toBeLessThan(80);
    expect(formatUptime(0)).toBe('0:00');
    expect(formatUptime(61_000)).toBe('1:01');
    expect(formatUptime(36_000_000)).toBe('10:00:00');
  });
});

describe('record proxy progress: counting what the corpus writer stored', () => {
  const tmp = useTempDir();

  it('records, chunks and bytes, also through the --force wrapper', async () => {
    const records = syntheticRecords(30);
    for (const force of [false, true]) {
      const path = join(tmp.path, 'c.cfr');
      if (force) writeFileSync(path, 'an older corpus, replaced at close');
      const sink = new CountedSink(await openCorpusSink(path, force ? { force: true } : {}));
      expect(sink.stats()).toEqual({ records: 0, chunks: 0, bytes: expect.any(Number) });
      for (const r of records) await sink.write(r);
      expect(sink.stats().records).toBe(30);
      const closed = await sink.close();
      const after = sink.stats();
      expect(after.records).toBe(30);
      expect(after.chunks).toBe(closed.chunks);
      expect(after.chunks).toBeGreaterThan(0);
      // The writer's count includes the file header and index, the figure the summary prints.
      expect(after.bytes).toBe(closed.bytesWritten);
    }
  });
});

describe('record proxy: the CLI on a terminal and on pipes', () => {
  beforeAll(requireCliBuilt);
  const tmp = useTempDir();

  it('on a terminal: a live line (recorded, req/s, errors, bytes/chunks, uptime), cleared before the summary; Ctrl-C finishes the corpus', async () => {
    const o = await origin();
    const out = join(tmp.path, 'tty.cfr');
    const command = `exec '${process.execPath}' '${bin}' record proxy --listen 127.0.0.1:0 --target ${o.origin} -o '${out}'`;
    // util-linux `script` runs the command on a new pty: stderr is a TTY, and a ^C typed into it is a real SIGINT.
    const child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    closers.push(async () => {
      child.kill('SIGKILL');
    });
    const port = Number((await waitFor(() => screen, /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    let sent = 0;
    const until = Date.now() + 1800; // the line appears after a second
    while (Date.now() < until) {
      expect(await get(`http://127.0.0.1:${port}/p/${sent}`)).toBe(200);
      sent++;
    }
    await waitFor(() => screen, / in [1-9]\d* chunks?/); // a chunk flushed (at least once a second)
    child.stdin.write('\x03');
    expect(await exited).toBe(0);

    const drawn = [...screen.matchAll(/\rproxy up 0:0\d: ([\d,]+) recorded, ([\d,]+) req\/s, (\d+) origin errors, [\d.]+ k?B in (\d+) chunks?\x1b\[K/g)];
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.some((m) => Number(m[1]!.replace(/,/g, '')) > 0 && Number(m[2]!.replace(/,/g, '')) > 0 && Number(m[4]) > 0)).toBe(true);
    const lastDraw = drawn.at(-1)!.index!;
    const cleared = screen.indexOf('\r\x1b[K', lastDraw + 1);
    const stopping = screen.indexOf('cfreplay: Ctrl-C: stopping');
    const summary = screen.indexOf(`cfreplay: recorded ${sent.toLocaleString('en-US')} exchanges`);
    expect(cleared).toBeGreaterThan(lastDraw);
    expect(stopping).toBeGreaterThan(cleared);
    expect(summary).toBeGreaterThan(stopping);
    expect(screen.slice(summary)).not.toMatch(/\rproxy up/); // nothing drawn over the summary
    const f = await openCorpusFile(out);
    expect(f.complete).toBe(true);
    expect(f.events).toBe(sent);
    await f.close();
  }, 30_000);

  it('on pipes: no progress line unless --progress; SIGINT finishes the corpus and prints the summary', async () => {
    const o = await origin();
    const out = join(tmp.path, 'piped.cfr');
    const run = startCli(['record', 'proxy', '--listen', '127.0.0.1:0', '--target', o.origin, '-o', out]);
    closers.push(async () => {
      run.child.kill('SIGKILL');
    });
    const port = Number((await waitFor(run.stderr, /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    for (let i = 0; i < 7; i++) expect(await get(`http://127.0.0.1:${port}/x/${i}`)).toBe(200);
    await new Promise((r) => setTimeout(r, 1300)); // past the line's delay: it would have been drawn by now
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toMatch(/Ctrl-C: stopping/);
    expect(run.stderr()).toMatch(/recorded 7 exchanges from 1 input/);
    expect(run.stderr()).not.toMatch(/\r|\x1b\[/);
    const f = await openCorpusFile(out);
    expect([f.complete, f.events]).toEqual([true, 7]);
    await f.close();

    // --progress asks for the line even on a pipe (and at once, as for the other recorders).
    const forced = startCli(['record', 'proxy', '--listen', '127.0.0.1:0', '--target', o.origin, '--dry-run', '--progress']);
    closers.push(async () => {
      forced.child.kill('SIGKILL');
    });
    const p2 = Number((await waitFor(forced.stderr, /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    for (let i = 0; i < 3; i++) await get(`http://127.0.0.1:${p2}/y/${i}`);
    await waitFor(forced.stderr, /\rproxy up 0:0\d: 3 recorded, \d+ req\/s, 0 origin errors\x1b\[K/);
    forced.child.kill('SIGTERM');
    expect(await forced.exit).toBe(0);
    expect(forced.stderr()).toMatch(/\r\x1b\[Kcfreplay: SIGTERM: stopping/);
  }, 30_000);
});

describe('record proxy: a second signal', () => {
  beforeAll(requireCliBuilt);
  const tmp = useTempDir();

  it('stops at once instead of waiting for a hanging exchange, and the corpus is still complete', async () => {
    const held: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/hang') held.push(res); // answers only when the test ends
      else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => { for (const res of held) res.destroy(); server.closeAllConnections(); server.close(() => r()); }));
    const out = join(tmp.path, 'twice.cfr');
    const run = startCli(['record', 'proxy', '--listen', '127.0.0.1:0', '--target', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '-o', out]);
    closers.push(async () => {
      run.child.kill('SIGKILL');
    });
    const port = Number((await waitFor(run.stderr, /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    for (let i = 0; i < 3; i++) expect(await get(`http://127.0.0.1:${port}/ok/${i}`)).toBe(200);
    const hanging = new Promise<string>((resolve) => {
      http.get(`http://127.0.0.1:${port}/hang`, { agent: false }, () => resolve('answered')).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    await waitFor(() => String(held.length), /^1$/);
    run.child.kill('SIGINT');
    await waitFor(run.stderr, /Ctrl-C: stopping, finishing 1 exchange\(s\) in flight/);
    const second = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(Date.now() - second).toBeLessThan(5000); // the grace period would be 10 s
    expect(run.stderr()).toMatch(/Ctrl-C again: stopping now/);
    expect(await hanging).toBe('ECONNRESET');
    const f = await openCorpusFile(out);
    expect(f.complete).toBe(true);
    // The three answered exchanges; the cut one may or may not reach the recorder before it closes.
    expect([3, 4]).toContain(f.events);
    await f.close();
  }, 30_000);
});

describe('record proxy: bad input gives one line and exit 2', () => {
  beforeAll(requireCliBuilt);
  const tmp = useTempDir();

  it('port in use, unreachable origin, bad --target, bad --listen: one clear line each, nothing written', async () => {
    const o = await origin();
    const out = join(tmp.path, 'never.cfr');
    const notPem = join(tmp.path, 'not.pem');
    writeFileSync(notPem, 'not a certificate\n');
    const cases: [string[], RegExp][] = [
      [['--listen', `127.0.0.1:${o.port}`, '--target', o.origin], /^cfreplay: --listen 127\.0\.0\.1:\d+: address already in use \(another process listens there; choose another port\)\n$/],
      [['--listen', '127.0.0.1:0', '--target', 'http://127.0.0.1:1'], /^cfreplay: cannot reach the origin http:\/\/127\.0\.0\.1:1: connection refused \(start it first, or check --target\)\n$/],
      [['--target', 'ftp://127.0.0.1:21'], /^cfreplay: --target: "ftp:\/\/127\.0\.0\.1:21": only http:\/\/ and https:\/\/ origins are supported\n$/],
      [['--target', 'http://'], /^cfreplay: --target: "http:\/\/" is not a URL \(e\.g\. http:\/\/127\.0\.0\.1:3000\)\n$/],
      [['--target', `${o.origin}/app`], /^cfreplay: --target: ".*\/app": give the origin only \(scheme:\/\/host:port\), requests keep their own path\n$/],
      [['--target', o.origin, '--listen', 'localhost:http'], /^cfreplay: --listen: "localhost:http" is not host:port \(e\.g\. 127\.0\.0\.1:8080\)\n$/],
      [['--target', o.origin, '--timeout', 'soon'], /^cfreplay: --timeout: "soon" is not a duration \(e\.g\. 90s, 10m, 1h\)\n$/],
      [['--target', o.origin, '--origin-ca', join(tmp.path, 'none.pem')], /^cfreplay: --origin-ca: the target http:\/\/127\.0\.0\.1:\d+ is not https\n$/],
      [['--target', 'https://127.0.0.1:1', '--origin-ca', join(tmp.path, 'none.pem')], /^cfreplay: --origin-ca .*none\.pem: cannot read it \(ENOENT\)\n$/],
      [['--target', 'https://127.0.0.1:1', '--origin-ca', notPem], /^cfreplay: --origin-ca .*not\.pem: expected PEM certificates \("-----BEGIN CERTIFICATE-----"\)\n$/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['record', 'proxy', ...args, '-o', out], { timeoutMs: 20_000 })));
    results.forEach((r, i) => {
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(cases[i]![1]) });
    });
    await expect(openCorpusFile(out)).rejects.toThrow();
  }, 30_000);
});
